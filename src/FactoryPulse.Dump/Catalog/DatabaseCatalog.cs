using FactoryPulse.Dump.Model;

namespace FactoryPulse.Dump.Catalog;

/// <summary>
/// Everything read from one database in one snapshot: the objects, their dependencies and how to write them, and the
/// facts later phases decide from (type shapes for the COPY format, what inline CHECKs reference for their placement).
/// </summary>
internal sealed class DatabaseCatalog
{
    public required int ServerVersionNumber { get; init; }
    public required string ServerVersion { get; init; }
    public required string DatabaseName { get; init; }
    public required string Encoding { get; init; }
    public required DdlContext Context { get; init; }
    public required List<DumpableObject> Objects { get; init; }
    public required List<TableObject> Tables { get; init; }
    public required List<SequenceObject> Sequences { get; init; }
    public required List<MaterializedViewObject> MaterializedViews { get; init; }
    public required Dictionary<uint, double> TableRowEstimates { get; init; }
    public required List<LargeObjectObject> LargeObjects { get; init; }

    /// <summary>Tables an extension marked with pg_extension_config_dump: their user rows are data to keep.</summary>
    public required List<(TableObject Table, string? Condition, ExtensionObject Extension)> ExtensionConfigTables { get; init; }

    /// <summary>Every pg_type row's shape, by oid: columns' types are followed through it to choose binary or text COPY.</summary>
    public required IReadOnlyDictionary<uint, TypeShape> TypeShapes { get; init; }

    /// <summary>What each inline CHECK references (functions, types, …) in pg_depend order, by constraint oid; see <see cref="CatalogLookups.InlineCheckReferences"/>.</summary>
    public required IReadOnlyDictionary<uint, List<DumpableObject>> InlineCheckReferences { get; init; }

    /// <summary>What the dump leaves out and why (subscriptions without a superuser), for the dump's result.</summary>
    public required IReadOnlyList<string> Warnings { get; init; }
}
