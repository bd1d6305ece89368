using Microsoft.Extensions.Logging;

namespace FactoryPulse.Dump;

/// <summary>What to dump and where to. Mirrors pg_dump's flags where pg_dump has one.</summary>
public sealed record DumpOptions
{
    private bool PrintMembers(System.Text.StringBuilder builder) => OptionsText.PrintMembers(this, builder);

    /// <summary>
    /// Npgsql keyword connection string or a <c>postgres://</c> / <c>postgresql://</c> URI; empty means the PG*
    /// environment variables. Leave it empty when passing an <see cref="Npgsql.NpgsqlDataSource"/> instead.
    /// </summary>
    public string ConnectionString { get; init; } = "";

    /// <summary>
    /// The archive to create: a directory (<see cref="ArchiveFormat.Directory"/>) or a SQL file
    /// (<see cref="ArchiveFormat.Plain"/>). Missing parent directories are created (owner-only, as the archive); the path itself must not exist.
    /// </summary>
    public required string OutputPath { get; init; }

    /// <summary>
    /// Also dump the database's own settings and comment (ALTER DATABASE … SET, ALTER ROLE … IN DATABASE … SET), which
    /// pg_dump writes only with <c>--create</c>. They are applied to whatever database the archive is restored into.
    /// </summary>
    public bool DatabaseSettings { get; init; }

    /// <summary>
    /// Leave out the tablespaces of tables, materialized views, indexes and the indexes of keys (pg_dump
    /// <c>--no-tablespaces</c>): everything is restored into the target database's default tablespace.
    /// </summary>
    public bool NoTablespaces { get; init; }

    /// <summary>
    /// <see cref="DumpProfile.Supabase"/>: do not re-create what a Supabase project manages (auth, storage, realtime,
    /// extensions … schemas, platform roles' objects, the supabase_realtime publication) but keep what the user added
    /// there: policies on storage tables, user triggers on auth.users, user functions, rows of storage.buckets and
    /// storage.objects, and the auth users (see <see cref="SupabaseAuthData"/>).
    /// </summary>
    public DumpProfile Profile { get; init; } = DumpProfile.None;

    /// <summary>With the Supabase profile, keep the rows of auth.users and auth.identities (default true) so references to them restore.</summary>
    public bool SupabaseAuthData { get; init; } = true;

    /// <summary>
    /// Columns whose values must not leave the database: "schema.table.column" or "schema.table.column=value". Every
    /// row's value is replaced inside the COPY query, so the archive restores: without a value by NULL where the column
    /// and its constraints allow it, else by a neutral value of its type ('' — or 'redacted' where a CHECK refuses the
    /// empty string —, '{}' for json, 0, the epoch, the zero uuid, false …); with one by that value. The server proves
    /// the choice before anything is written (its type and domain, CHECKs, unique keys and partition bound, evaluated
    /// over the rows); a column in a foreign key takes only NULL. When nothing fits, the dump throws
    /// <see cref="RedactionRefusedException"/> naming the column and why. A rule naming a parent table covers its
    /// partitions and inheritance children. What was written is recorded in the manifest.
    /// </summary>
    public IReadOnlyList<string> Redact { get; init; } = [];

    /// <summary>
    /// Redact Supabase's credential columns where they exist (password hashes, confirmation/recovery/refresh tokens, MFA
    /// secrets, OAuth provider tokens), chosen as for <see cref="Redact"/>; a <see cref="Redact"/> rule for the same column wins.
    /// </summary>
    public bool RedactSupabaseSecrets { get; init; }

    /// <summary>
    /// Encrypt the data files at rest (AES-256-GCM, key from this passphrase via PBKDF2-HMAC-SHA256 with a salt per
    /// archive). The manifest records how, never the passphrase or key; restores need the same passphrase.
    /// </summary>
    public string? EncryptionPassphrase { get; init; }

    /// <summary>Compression of the data files of a directory archive (pg_dump <c>--compress</c>). Default zstd.</summary>
    public DataCompression Compression { get; init; } = DataCompression.Zstd;

    /// <summary>Compression level; 0 means the method's fast default (zstd 1, gzip fastest).</summary>
    public int CompressionLevel { get; init; }

    /// <summary>
    /// Dump tables on this many connections at once, all reading one exported snapshot (pg_dump <c>--jobs</c>): the
    /// archive is exactly as consistent as a serial dump. Largest tables go first. Defaults to the machine's processor count
    /// (<see cref="Environment.ProcessorCount"/>); with more than one, a worker also reads part of the catalog.
    /// </summary>
    public int Jobs { get; init; } = Environment.ProcessorCount;

    /// <summary>With <see cref="Jobs"/> above 1, tables larger than this are split into block ranges of about this size, dumped concurrently.</summary>
    public long ChunkSizeBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>Directory archive (default) or a plain SQL script restorable with psql (pg_dump <c>--format</c>).</summary>
    public ArchiveFormat Format { get; init; } = ArchiveFormat.Directory;

    /// <summary>Only these sections: "pre-data", "data", "post-data" (pg_dump <c>--section</c>); empty means all.</summary>
    public IReadOnlyList<string> Sections { get; init; } = [];

    /// <summary>Only schemas matching these patterns (pg_dump <c>--schema</c>, psql pattern rules).</summary>
    public IReadOnlyList<string> Schemas { get; init; } = [];

    /// <summary>Leave out schemas matching these patterns (pg_dump <c>--exclude-schema</c>).</summary>
    public IReadOnlyList<string> ExcludeSchemas { get; init; } = [];

    /// <summary>Only tables (and views, sequences) matching these patterns, with their indexes, constraints, triggers and policies (pg_dump <c>--table</c>).</summary>
    public IReadOnlyList<string> Tables { get; init; } = [];

    /// <summary>Leave out tables matching these patterns (pg_dump <c>--exclude-table</c>).</summary>
    public IReadOnlyList<string> ExcludeTables { get; init; } = [];

    /// <summary>Dump the definitions but not the rows of tables matching these patterns (pg_dump <c>--exclude-table-data</c>).</summary>
    public IReadOnlyList<string> ExcludeTableData { get; init; } = [];

    /// <summary>Dump only the object definitions (pg_dump <c>--schema-only</c>).</summary>
    public bool SchemaOnly { get; init; }

    /// <summary>Dump only table data and sequence values (pg_dump <c>--data-only</c>).</summary>
    public bool DataOnly { get; init; }

    /// <summary>Optional logger for what the dump does (never receives passwords).</summary>
    public ILogger? Logger { get; init; }

    /// <summary>The highest level each compression method takes (pg_dump's limits); 0 is always the method's fast default.</summary>
    private static int MaximumLevel(DataCompression compression) => compression switch
    {
        DataCompression.Zstd => 22,
        DataCompression.Gzip => 9,
        _ => 0,
    };

    /// <summary>Throws the <see cref="ArgumentException"/> family for contradictory or out-of-range settings, before anything connects.</summary>
    internal void Validate()
    {
        // An empty connection string is valid: everything then comes from the PG* environment variables.
        ArgumentNullException.ThrowIfNull(ConnectionString, nameof(ConnectionString));
        if (string.IsNullOrWhiteSpace(OutputPath))
            throw new ArgumentException("The output path is empty: name the archive to create.", nameof(OutputPath));
        ValidateSettings("");
    }

    /// <summary>Everything but the connection and the path, which a backup set supplies itself; <paramref name="owner"/> prefixes the parameter names.</summary>
    internal void ValidateSettings(string owner)
    {
        if (SchemaOnly && DataOnly)
            throw new ArgumentException("Schema-only and data-only cannot be used together.", owner + nameof(DataOnly));
        if (Jobs < 1)
            throw new ArgumentOutOfRangeException(owner + nameof(Jobs), $"Jobs must be at least 1, not {Jobs}.");
        if (ChunkSizeBytes < 1)
            throw new ArgumentOutOfRangeException(owner + nameof(ChunkSizeBytes), $"ChunkSizeBytes must be positive, not {ChunkSizeBytes}.");
        if (!Enum.IsDefined(Format))
            throw new ArgumentOutOfRangeException(owner + nameof(Format), $"Unknown archive format {(int)Format}.");
        if (!Enum.IsDefined(Compression))
            throw new ArgumentOutOfRangeException(owner + nameof(Compression), $"Unknown compression {(int)Compression}.");
        if (!Enum.IsDefined(Profile))
            throw new ArgumentOutOfRangeException(owner + nameof(Profile), $"Unknown profile {(int)Profile}.");
        var maximumLevel = MaximumLevel(Compression);
        if (CompressionLevel < 0 || CompressionLevel > maximumLevel)
        {
            throw new ArgumentOutOfRangeException(owner + nameof(CompressionLevel), Compression == DataCompression.None
                ? $"Uncompressed data takes no compression level; leave CompressionLevel at 0, not {CompressionLevel}."
                : $"The {Compression} compression level must be between 0 (the fast default) and {maximumLevel}, not {CompressionLevel}.");
        }
        if (!string.IsNullOrEmpty(EncryptionPassphrase) && Format != ArchiveFormat.Directory)
            throw new ArgumentException("Encryption applies to directory archives; a plain SQL script cannot be encrypted by the dump.", owner + nameof(EncryptionPassphrase));
        RequireList(Schemas, owner + nameof(Schemas));
        RequireList(ExcludeSchemas, owner + nameof(ExcludeSchemas));
        RequireList(Tables, owner + nameof(Tables));
        RequireList(ExcludeTables, owner + nameof(ExcludeTables));
        RequireList(ExcludeTableData, owner + nameof(ExcludeTableData));
        RequireList(Sections, owner + nameof(Sections));
        foreach (var section in Sections)
        {
            if (section is not ("pre-data" or "data" or "post-data"))
                throw new ArgumentException($"Unknown section '{section}': use pre-data, data or post-data.", owner + nameof(Sections));
        }
        RequireList(Redact, owner + nameof(Redact));
        var redacted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rule in Redact)
        {
            var equals = rule.IndexOf('=', StringComparison.Ordinal);
            var column = equals < 0 ? rule : rule[..equals];
            var parts = column.Split('.');
            if (parts.Length != 3 || Array.Exists(parts, part => part.Length == 0))
                throw new ArgumentException($"Redaction rule '{rule}' must name schema.table.column (optionally =value).", owner + nameof(Redact));
            if (!redacted.Add(column))
                throw new ArgumentException($"Redaction rules name {column} twice; keep one.", owner + nameof(Redact));
            if (rule.Contains('\0', StringComparison.Ordinal))
                throw new ArgumentException($"The value of redaction rule {column} holds a NUL character, which PostgreSQL text cannot store.", owner + nameof(Redact));
        }
    }

    /// <summary>A list option must exist and hold no null or blank items.</summary>
    internal static void RequireList(IReadOnlyList<string> list, string name)
    {
        ArgumentNullException.ThrowIfNull(list, name);
        foreach (var item in list)
        {
            if (string.IsNullOrWhiteSpace(item))
                throw new ArgumentException($"{name} holds an empty item.", name);
        }
    }
}

/// <summary>How an archive is written.</summary>
public enum ArchiveFormat
{
    /// <summary>A directory with a manifest and one binary COPY file per table (restored by <see cref="DatabaseRestorer"/>).</summary>
    Directory,

    /// <summary>One SQL script with text COPY data, restorable with <c>psql -v ON_ERROR_STOP=1 -f FILE</c>.</summary>
    Plain,
}

/// <summary>How table data files are compressed.</summary>
public enum DataCompression
{
    /// <summary>Zstandard (default): keeps up with a COPY at level 1 and writes a third of the bytes.</summary>
    Zstd,

    /// <summary>gzip, for tools that only read gzip.</summary>
    Gzip,

    /// <summary>No compression: the fastest when disk space does not matter.</summary>
    None,
}

/// <summary>Dump profiles for hosted PostgreSQL platforms.</summary>
public enum DumpProfile
{
    /// <summary>Everything the filters select.</summary>
    None,

    /// <summary>Supabase: platform-managed schemas are left to the platform, the user's additions are kept.</summary>
    Supabase,
}
