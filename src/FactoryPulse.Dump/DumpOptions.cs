using Microsoft.Extensions.Logging;

namespace FactoryPulse.Dump;

/// <summary>What to dump and where to. Mirrors pg_dump's flags where pg_dump has one.</summary>
public sealed record DumpOptions
{
    /// <summary>Npgsql keyword connection string or a <c>postgres://</c> / <c>postgresql://</c> URI.</summary>
    public required string ConnectionString { get; init; }

    /// <summary>The archive directory to create. Its parent must exist; the directory itself must not.</summary>
    public required string OutputPath { get; init; }

    /// <summary>Dump only the object definitions (pg_dump <c>--schema-only</c>).</summary>
    public bool SchemaOnly { get; init; }

    /// <summary>Dump only table data and sequence values (pg_dump <c>--data-only</c>).</summary>
    public bool DataOnly { get; init; }

    /// <summary>Optional logger for what the dump does (never receives passwords).</summary>
    public ILogger? Logger { get; init; }
}
