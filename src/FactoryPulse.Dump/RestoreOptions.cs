using Microsoft.Extensions.Logging;

namespace FactoryPulse.Dump;

/// <summary>What to restore and how. Mirrors pg_restore's flags where pg_restore has one.</summary>
public sealed record RestoreOptions
{
    private bool PrintMembers(System.Text.StringBuilder builder) => OptionsText.PrintMembers(this, builder);

    /// <summary>
    /// Connection string of the target database (keyword form or URI); empty means the PG* environment variables. Leave
    /// it empty when passing an <see cref="Npgsql.NpgsqlDataSource"/> instead.
    /// </summary>
    public string ConnectionString { get; init; } = "";

    /// <summary>The archive directory written by <see cref="DatabaseDumper"/>.</summary>
    public required string InputPath { get; init; }

    /// <summary>Restore only the object definitions (pg_restore <c>--schema-only</c>).</summary>
    public bool SchemaOnly { get; init; }

    /// <summary>Restore only these sections: "pre-data", "data", "post-data" (pg_restore <c>--section</c>); empty means all.</summary>
    public IReadOnlyList<string> Sections { get; init; } = [];

    /// <summary>
    /// Restore only objects in schemas matching these patterns, and those schemas themselves (pg_restore <c>--schema</c>;
    /// psql pattern rules). Objects of no schema (extensions, casts, publications) are left out, as with pg_dump -n.
    /// </summary>
    public IReadOnlyList<string> Schemas { get; init; } = [];

    /// <summary>Leave out objects in schemas matching these patterns (pg_restore <c>--exclude-schema</c>).</summary>
    public IReadOnlyList<string> ExcludeSchemas { get; init; } = [];

    /// <summary>
    /// Restore only tables, views, materialized views and sequences matching these patterns, with their data and
    /// what hangs off them: indexes, constraints, triggers, policies, rules and privileges (pg_restore <c>--table</c>
    /// restores the relation alone; this matches <c>fpdump dump --table</c>). Other objects they need must exist.
    /// </summary>
    public IReadOnlyList<string> Tables { get; init; } = [];

    /// <summary>
    /// Restore only table data and sequence values into the existing schema (pg_restore <c>--data-only</c>). Runs in one
    /// transaction, loads tables in foreign-key order and breaks cycles per <see cref="ForeignKeyCycles"/>. An archive
    /// holding only data is restored this way even without the flag.
    /// </summary>
    public bool DataOnly { get; init; }

    /// <summary>How a data-only restore loads tables whose foreign keys form a cycle.</summary>
    public ForeignKeyCycleStrategy ForeignKeyCycles { get; init; } = ForeignKeyCycleStrategy.DeferConstraints;

    /// <summary>
    /// Switch user triggers off while a data-only restore loads rows (audit rows, updated_at stamps and notifications
    /// would otherwise fire), and back to their exact previous state afterwards. Default true (pg_restore's
    /// <c>--disable-triggers</c>, without needing a superuser).
    /// </summary>
    public bool DisableTriggers { get; init; } = true;

    /// <summary>Drop the archive's objects from the target before re-creating them (pg_restore <c>--clean</c>).</summary>
    public bool Clean { get; init; }

    /// <summary>With <see cref="Clean"/>, use <c>DROP … IF EXISTS</c> (pg_restore <c>--if-exists</c>).</summary>
    public bool IfExists { get; init; }

    /// <summary>Do not restore object ownership; everything belongs to the restoring role (pg_restore <c>--no-owner</c>).</summary>
    public bool NoOwner { get; init; }

    /// <summary>Do not restore GRANT/REVOKE and default privileges (pg_restore <c>--no-privileges</c>).</summary>
    public bool NoPrivileges { get; init; }

    /// <summary>
    /// Map roles of the source to roles of the target (<c>--role-map OLD=NEW</c>): owners, grantees, grantors and policy
    /// roles. Roles still missing on the target are reported up front with the entries that need them.
    /// </summary>
    public IReadOnlyDictionary<string, string> RoleMap { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Create the database named in the archive first (pg_restore <c>--create</c>); the connection string names the
    /// maintenance database. Needs a connection string: a data source is bound to one database.
    /// </summary>
    public bool CreateDatabase { get; init; }

    /// <summary>
    /// Create a new database of this name and restore into it: <see cref="CreateDatabase"/> under a name you choose
    /// (e.g. <c>shop_copy</c>) instead of the archive's, with the archive's encoding. The connection string names the
    /// server and the maintenance database that runs <c>CREATE DATABASE</c> (<c>postgres</c> when it names none). A
    /// database of that name that exists already is refused with <see cref="DatabaseExistsException"/> before anything
    /// is changed. Needs a connection string: a data source is bound to one database.
    /// </summary>
    public string? CreateDatabaseName { get; init; }

    /// <summary>Stop at the first error (default, pg_restore <c>--exit-on-error</c>); when false, go on and list failures in <see cref="RestoreReport.Errors"/>.</summary>
    public bool ExitOnError { get; init; } = true;

    /// <summary>
    /// Load table data, and build indexes and keys, on this many connections at once (pg_restore <c>--jobs</c>); ignored
    /// with <see cref="SingleTransaction"/>. Default: the machine's cores (<see cref="Environment.ProcessorCount"/>).
    /// </summary>
    public int Jobs { get; init; } = Environment.ProcessorCount;

    /// <summary>Restore only the entries whose dump ids appear in this list file (pg_restore <c>-L</c>; write one with <c>fpdump list</c>).</summary>
    public string? UseListFile { get; init; }

    /// <summary>The passphrase of an encrypted archive.</summary>
    public string? EncryptionPassphrase { get; init; }

    /// <summary>Run the whole restore in one transaction: any error leaves the target unchanged.</summary>
    public bool SingleTransaction { get; init; }

    /// <summary>Optional logger for what the restore does (never receives passwords).</summary>
    public ILogger? Logger { get; init; }

    /// <summary>Throws the <see cref="ArgumentException"/> family for contradictory or out-of-range settings, before anything is read or connected.</summary>
    internal void Validate()
    {
        // An empty connection string is valid: everything then comes from the PG* environment variables.
        ArgumentNullException.ThrowIfNull(ConnectionString, nameof(ConnectionString));
        if (string.IsNullOrWhiteSpace(InputPath))
            throw new ArgumentException("The input path is empty: name the archive to restore.", nameof(InputPath));
        if (SchemaOnly && DataOnly)
            throw new ArgumentException("Schema-only and data-only cannot be used together.", nameof(DataOnly));
        // As pg_restore: a data-only restore loads into the existing schema and never drops it.
        if (Clean && DataOnly)
            throw new ArgumentException("Clean and data-only cannot be used together: a data-only restore loads into the existing schema.", nameof(Clean));
        if (IfExists && !Clean)
            throw new ArgumentException("IfExists applies to the DROP statements of Clean; set Clean too.", nameof(IfExists));
        if (Jobs < 1)
            throw new ArgumentOutOfRangeException(nameof(Jobs), $"Jobs must be at least 1, not {Jobs}.");
        if (CreateDatabaseName is not null && string.IsNullOrWhiteSpace(CreateDatabaseName))
            throw new ArgumentException("CreateDatabaseName is empty: name the database to create, or leave it null.", nameof(CreateDatabaseName));
        // As pg_restore: a data-only restore loads into an existing schema, which a new database does not have.
        if ((CreateDatabase || CreateDatabaseName is not null) && DataOnly)
            throw new ArgumentException("Creating a database and data-only cannot be used together: a data-only restore loads into an existing schema.", nameof(DataOnly));
        if (!Enum.IsDefined(ForeignKeyCycles))
            throw new ArgumentOutOfRangeException(nameof(ForeignKeyCycles), $"Unknown foreign-key cycle strategy {(int)ForeignKeyCycles}.");
        if (UseListFile is not null && string.IsNullOrWhiteSpace(UseListFile))
            throw new ArgumentException("UseListFile is empty: name a list file written by fpdump list, or leave it null.", nameof(UseListFile));
        DumpOptions.RequireList(Schemas, nameof(Schemas));
        DumpOptions.RequireList(ExcludeSchemas, nameof(ExcludeSchemas));
        DumpOptions.RequireList(Tables, nameof(Tables));
        DumpOptions.RequireList(Sections, nameof(Sections));
        foreach (var section in Sections)
        {
            if (section is not ("pre-data" or "data" or "post-data"))
                throw new ArgumentException($"Unknown section '{section}': use pre-data, data or post-data.", nameof(Sections));
        }
        ArgumentNullException.ThrowIfNull(RoleMap, nameof(RoleMap));
        foreach (var (from, to) in RoleMap)
        {
            if (string.IsNullOrWhiteSpace(from) || string.IsNullOrWhiteSpace(to))
                throw new ArgumentException($"RoleMap maps role names to role names; '{from}' → '{to}' has an empty one.", nameof(RoleMap));
        }
    }
}

/// <summary>How a data-only restore gets rows past foreign keys that form a cycle.</summary>
public enum ForeignKeyCycleStrategy
{
    /// <summary>
    /// Defer the cycle's constraints for the transaction (NOT DEFERRABLE ones are made DEFERRABLE and put back), check
    /// them all before commit. Needs ownership only of a table whose key is NOT DEFERRABLE.
    /// </summary>
    DeferConstraints,

    /// <summary>Drop the cycle's constraints, load, re-add them NOT VALID and VALIDATE: cheaper for very large tables.</summary>
    DropAndRecreate,

    /// <summary>session_replication_role = replica: no triggers, foreign-key checks included, fire. A superuser, or SET on the parameter (PostgreSQL 15+); rows are not checked.</summary>
    ReplicationRole,
}
