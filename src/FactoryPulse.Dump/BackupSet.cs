using Microsoft.Extensions.Logging;

namespace FactoryPulse.Dump;

/// <summary>What <see cref="BackupSet.CreateAsync"/> backs up and how many sets it keeps.</summary>
public sealed record BackupSetOptions
{
    /// <summary>The database to back up.</summary>
    public required string ConnectionString { get; init; }

    /// <summary>The folder holding the sets (created 0700 when missing).</summary>
    public required string Directory { get; init; }

    /// <summary>Name prefix of the set's archives; default the database name.</summary>
    public string? Prefix { get; init; }

    /// <summary>Complete, verified sets to keep (default 1, like the Factory Pulse script); incomplete or unverified sets are never deleted.</summary>
    public int Keep { get; init; } = 1;

    /// <summary>Also write the three archives as psql-restorable .sql files (each from its own snapshot).</summary>
    public bool Plain { get; init; }

    /// <summary>Dump options for the set's archives (profile, redaction, jobs, compression …); connection and path are set by the set.</summary>
    public DumpOptions? Dump { get; init; }

    /// <summary>Optional logger.</summary>
    public ILogger? Logger { get; init; }
}

/// <summary>The archives, summary and pruning of one backup run.</summary>
/// <param name="CompleteArchive">Schema and data.</param>
/// <param name="SchemaArchive">Definitions only.</param>
/// <param name="DataArchive">Rows only, for a data-only restore into an existing schema.</param>
/// <param name="SummaryPath">The Markdown summary (a .json with the same name holds the same facts).</param>
/// <param name="PlainFiles">The .sql files, when asked for.</param>
/// <param name="DeletedSets">Older sets removed by retention.</param>
/// <param name="Verification">The verification of the new set (all three archives).</param>
public sealed record BackupSetResult(
    string CompleteArchive,
    string SchemaArchive,
    string DataArchive,
    string SummaryPath,
    IReadOnlyList<string> PlainFiles,
    IReadOnlyList<string> DeletedSets,
    VerificationReport Verification);

/// <summary>
/// A backup set as the Factory Pulse workflow keeps them: <c>{prefix}_schema_backup_…</c>, <c>{prefix}_data_backup_…</c>,
/// <c>{prefix}_complete_backup_…</c> and <c>backup-summary-….md</c>, verified, with older sets pruned.
/// </summary>
public static class BackupSet
{
    /// <summary>
    /// Dumps once (one snapshot), derives the schema-only and data-only archives from that dump, verifies all three,
    /// writes the summary, then keeps the newest <see cref="BackupSetOptions.Keep"/> complete verified sets. A second run
    /// while one is going is refused (lock file).
    /// </summary>
    public static Task<BackupSetResult> CreateAsync(BackupSetOptions options, IProgress<DumpProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Sets.BackupSetWriter.RunAsync(options, progress, cancellationToken);
    }
}
