using Microsoft.Extensions.Logging;

namespace FactoryPulse.Dump;

/// <summary>
/// What to copy from one database to another and how (<see cref="DatabaseCopier"/>). The source side takes
/// <see cref="DumpOptions"/>' names, the target side <see cref="RestoreOptions"/>' names.
/// </summary>
public sealed record CopyOptions
{
    private bool PrintMembers(System.Text.StringBuilder builder) => OptionsText.PrintMembers(this, builder);

    /// <summary>Connection string of the source database (keyword form or URI); parts it leaves out come from the PG* environment variables.</summary>
    public required string SourceConnectionString { get; init; }

    /// <summary>
    /// Connection string of the target database (keyword form or URI); parts it leaves out come from the PG* environment
    /// variables. With <see cref="CreateDatabase"/> or <see cref="CreateDatabaseName"/> it names the maintenance database.
    /// </summary>
    public required string TargetConnectionString { get; init; }

    /// <summary>Copy only the object definitions (pg_dump/pg_restore <c>--schema-only</c>).</summary>
    public bool SchemaOnly { get; init; }

    /// <summary>
    /// Copy only table data and sequence values into the target's existing schema: one transaction, tables in
    /// foreign-key order, cycles broken per <see cref="ForeignKeyCycles"/> (as <see cref="RestoreOptions.DataOnly"/>).
    /// </summary>
    public bool DataOnly { get; init; }

    /// <summary>How a data-only copy loads tables whose foreign keys form a cycle.</summary>
    public ForeignKeyCycleStrategy ForeignKeyCycles { get; init; } = ForeignKeyCycleStrategy.DeferConstraints;

    /// <summary>Switch user triggers off while a data-only copy loads rows, and back to their previous state afterwards (default true).</summary>
    public bool DisableTriggers { get; init; } = true;

    /// <summary>
    /// Copy only objects in schemas matching these patterns, and those schemas (pg_dump <c>--schema</c>; psql pattern
    /// rules). Objects of no schema (extensions, casts, publications) are left out.
    /// </summary>
    public IReadOnlyList<string> Schemas { get; init; } = [];

    /// <summary>Leave out objects in schemas matching these patterns (pg_dump <c>--exclude-schema</c>).</summary>
    public IReadOnlyList<string> ExcludeSchemas { get; init; } = [];

    /// <summary>
    /// Copy only tables, views, materialized views and sequences matching these patterns, with their data and what hangs
    /// off them (indexes, constraints, triggers, policies, privileges); other objects they need must exist on the target.
    /// </summary>
    public IReadOnlyList<string> Tables { get; init; } = [];

    /// <summary>Leave out tables matching these patterns (pg_dump <c>--exclude-table</c>).</summary>
    public IReadOnlyList<string> ExcludeTables { get; init; } = [];

    /// <summary>
    /// <see cref="DumpProfile.Supabase"/>: copy into a Supabase project without re-creating what the platform manages,
    /// keeping what the user added there (see <see cref="DumpOptions.Profile"/>).
    /// </summary>
    public DumpProfile Profile { get; init; } = DumpProfile.None;

    /// <summary>Map roles of the source to roles of the target (<c>--role-map OLD=NEW</c>): owners, grantees, grantors and policy roles.</summary>
    public IReadOnlyDictionary<string, string> RoleMap { get; init; } = new Dictionary<string, string>();

    /// <summary>Drop the copied objects from the target before re-creating them (pg_restore <c>--clean</c>).</summary>
    public bool Clean { get; init; }

    /// <summary>With <see cref="Clean"/>, use <c>DROP … IF EXISTS</c>.</summary>
    public bool IfExists { get; init; }

    /// <summary>Do not copy object ownership; everything belongs to the target's connecting role (pg_restore <c>--no-owner</c>).</summary>
    public bool NoOwner { get; init; }

    /// <summary>Do not copy GRANT/REVOKE and default privileges (pg_restore <c>--no-privileges</c>).</summary>
    public bool NoPrivileges { get; init; }

    /// <summary>Leave out tablespaces: everything goes into the target database's default tablespace (pg_dump <c>--no-tablespaces</c>).</summary>
    public bool NoTablespaces { get; init; }

    /// <summary>
    /// Create a database named as the source's on the target server first and copy into it (pg_restore <c>--create</c>);
    /// <see cref="TargetConnectionString"/> names the maintenance database.
    /// </summary>
    public bool CreateDatabase { get; init; }

    /// <summary>
    /// Create a new database of this name on the target server (with the source's encoding) and copy into it; one that
    /// exists already is refused with <see cref="DatabaseExistsException"/> before anything changes.
    /// </summary>
    public string? CreateDatabaseName { get; init; }

    /// <summary>Stop at the first error (default); when false, go on and list failures in <see cref="CopyResult.Errors"/>.</summary>
    public bool ExitOnError { get; init; } = true;

    /// <summary>
    /// Copy tables, and build indexes and keys, on this many target connections at once, each load reading from its own
    /// source connection in the shared snapshot (pg_restore <c>--jobs</c>). Default: the machine's cores.
    /// </summary>
    public int Jobs { get; init; } = Environment.ProcessorCount;

    /// <summary>With <see cref="Jobs"/> above 1, tables larger than this are copied as block ranges of about this size, side by side.</summary>
    public long ChunkSizeBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>Optional logger for what the copy does (never receives passwords).</summary>
    public ILogger? Logger { get; init; }

    /// <summary>Throws the <see cref="ArgumentException"/> family for contradictory or out-of-range settings, before anything connects.</summary>
    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(SourceConnectionString, nameof(SourceConnectionString));
        ArgumentNullException.ThrowIfNull(TargetConnectionString, nameof(TargetConnectionString));
        if (ChunkSizeBytes < 1)
            throw new ArgumentOutOfRangeException(nameof(ChunkSizeBytes), $"ChunkSizeBytes must be positive, not {ChunkSizeBytes}.");
        // The restore's and the dump's own checks, under the names both sides share with this record.
        ToRestoreOptions().Validate();
        ToDumpOptions().ValidateSettings("");
    }

    /// <summary>The source side: a dump's catalog reading and selection, no archive.</summary>
    internal DumpOptions ToDumpOptions() => new()
    {
        ConnectionString = SourceConnectionString,
        OutputPath = "(copy)",
        SchemaOnly = SchemaOnly,
        DataOnly = DataOnly,
        Schemas = Schemas,
        ExcludeSchemas = ExcludeSchemas,
        Tables = Tables,
        ExcludeTables = ExcludeTables,
        Profile = Profile,
        NoTablespaces = NoTablespaces,
        Jobs = Jobs,
        ChunkSizeBytes = ChunkSizeBytes,
        Compression = DataCompression.None,
        Logger = Logger,
    };

    /// <summary>The target side: the restore engine's options.</summary>
    internal RestoreOptions ToRestoreOptions() => new()
    {
        ConnectionString = TargetConnectionString,
        InputPath = "(copy)",
        SchemaOnly = SchemaOnly,
        DataOnly = DataOnly,
        ForeignKeyCycles = ForeignKeyCycles,
        DisableTriggers = DisableTriggers,
        Schemas = Schemas,
        ExcludeSchemas = ExcludeSchemas,
        Tables = Tables,
        RoleMap = RoleMap,
        Clean = Clean,
        IfExists = IfExists,
        NoOwner = NoOwner,
        NoPrivileges = NoPrivileges,
        CreateDatabase = CreateDatabase,
        CreateDatabaseName = CreateDatabaseName,
        ExitOnError = ExitOnError,
        Jobs = Jobs,
        Logger = Logger,
    };
}
