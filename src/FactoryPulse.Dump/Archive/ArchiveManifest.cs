using System.Text.Json;
using System.Text.Json.Serialization;
using FactoryPulse.Dump.Model;

namespace FactoryPulse.Dump.Archive;

/// <summary>The archive's table of contents and facts, stored as <c>manifest.json</c>. Versioned; readers refuse newer versions.</summary>
internal sealed class ArchiveManifest
{
    /// <summary>The format version this tool writes, and the newest it reads.</summary>
    public const int CurrentFormatVersion = 2;

    /// <summary>Format 1: each entry's SQL as one text, and an encrypted archive's manifest readable JSON.</summary>
    public const int UnsealedFormatVersion = 1;

    /// <summary>Since format 2, an encrypted archive has a clear header and <see cref="Sealed"/>: the rest encrypted and authenticated.</summary>
    public const int SealedFormatVersion = 2;

    /// <summary>Format 1 stored each entry's SQL as one text; <see cref="LegacyManifest"/> turns it into statements when read.</summary>
    public const int StatementListsSince = 2;

    public const string FileName = "manifest.json";

    public int FormatVersion { get; set; } = CurrentFormatVersion;
    public string Tool { get; set; } = "FactoryPulse.Dump";
    public string ToolVersion { get; set; } = "";
    public string ServerVersion { get; set; } = "";
    public int ServerVersionNumber { get; set; }
    public string Database { get; set; } = "";
    public string Encoding { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public ManifestOptions Options { get; set; } = new();

    /// <summary>How the data files are encrypted, when they are (never the key).</summary>
    public EncryptionInfo? Encryption { get; set; }
    public List<TocEntry> Entries { get; set; } = [];

    /// <summary>
    /// Encrypted archives (format version 2): base64 of the whole manifest sealed with AES-256-GCM under a key derived
    /// from the archive key, bound to the clear header (see ManifestSeal). Null once opened, and in unencrypted archives.
    /// </summary>
    public string? Sealed { get; set; }

    /// <summary>Written true only after every data file is closed and checked; the rename to the final name follows.</summary>
    public bool Complete { get; set; }

    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        MaxDepth = 16,
        // Generated at build time, with no reflection fallback: reflection costs every dump and restore ~50 ms of
        // start-up, and the Native AOT fpdump has none.
        TypeInfoResolver = ManifestJsonContext.Default,
    };

    /// <summary>The manifest's generated metadata under <paramref name="options"/>: the serializer overloads that take options alone need reflection.</summary>
    internal static System.Text.Json.Serialization.Metadata.JsonTypeInfo<ArchiveManifest> JsonType(JsonSerializerOptions options) =>
        (System.Text.Json.Serialization.Metadata.JsonTypeInfo<ArchiveManifest>)options.GetTypeInfo(typeof(ArchiveManifest));
}

[JsonSerializable(typeof(ArchiveManifest))]
internal sealed partial class ManifestJsonContext : JsonSerializerContext;

internal sealed class EncryptionInfo
{
    public string Algorithm { get; set; } = "";
    public string KeyDerivation { get; set; } = "";
    public int Iterations { get; set; }
    public string Salt { get; set; } = "";
    public string KeyCheck { get; set; } = "";

    /// <summary>
    /// Set by the reader for a sealed manifest: its key check uses the sealed label. The older label is accepted only in
    /// the older form, so a sealed archive's header cannot be reused over a forged readable manifest.
    /// </summary>
    [JsonIgnore]
    public bool ManifestSealed { get; set; }

    // The key the reader opened the manifest with, so a restore does not run the key derivation twice.
    private string? _openedWith;
    private byte[]? _openedKey;

    /// <summary>The data key from the passphrase, checked against <see cref="KeyCheck"/>: a wrong passphrase fails here, before any file is read.</summary>
    public byte[] KeyFrom(string? passphrase)
    {
        if (string.IsNullOrEmpty(passphrase))
            throw new ArchiveException("The archive is encrypted: give its passphrase (EncryptionPassphrase; the CLI reads --key-file or FPDUMP_PASSPHRASE).");
        if (_openedKey is not null && string.Equals(_openedWith, passphrase, StringComparison.Ordinal))
            return _openedKey;
        if (Algorithm != Encryption.Algorithm || KeyDerivation != Encryption.KeyDerivation || Iterations is < 1 or > Encryption.MaxIterations)
            throw new ArchiveException($"The archive is encrypted with {Algorithm}/{KeyDerivation} ({Iterations} rounds), which this version does not read.");
        byte[] salt;
        try
        {
            salt = Convert.FromHexString(Salt);
        }
        catch (FormatException exception)
        {
            throw new ArchiveException("The archive's encryption salt is damaged.", exception);
        }
        if (salt.Length < 8)
            throw new ArchiveException("The archive's encryption salt is damaged (too short).");
        var key = Encryption.DeriveKey(passphrase, salt, Iterations);
        var expected = ManifestSealed ? Encryption.KeyCheck(key) : Encryption.UnsealedKeyCheck(key);
        if (!System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.ASCII.GetBytes(expected), System.Text.Encoding.ASCII.GetBytes(KeyCheck)))
            throw new ArchiveException("The passphrase does not open this archive.");
        _openedWith = passphrase;
        _openedKey = key;
        return key;
    }
}

internal sealed class ManifestOptions
{
    public bool SchemaOnly { get; set; }
    public bool DataOnly { get; set; }

    /// <summary>"supabase" when platform-managed schemas were left out (the restore then expects them on the target).</summary>
    public string? Profile { get; set; }
}

/// <summary>One archive entry, as pg_dump's TOC entry: section, kind, tag, owner, definition, drop statement, dependencies.</summary>
internal sealed class TocEntry
{
    public int DumpId { get; set; }

    [JsonConverter(typeof(SectionJsonConverter))]
    public Section Section { get; set; }

    [JsonConverter(typeof(RestorePassJsonConverter))]
    public RestorePass Pass { get; set; }

    [JsonConverter(typeof(ObjectKindJsonConverter))]
    public ObjectKind Kind { get; set; }

    public string? Schema { get; set; }
    public string Name { get; set; } = "";
    public string? Owner { get; set; }

    /// <summary>The table an index, constraint, trigger, policy or rule belongs to (schema.name), for parallel scheduling.</summary>
    public string? Table { get; set; }

    /// <summary>The statements creating the object, each as written (its terminating <c>;</c> included), run as one batch.</summary>
    public List<string> Statements { get; set; } = [];

    /// <summary><c>ALTER … OWNER TO …</c>, skipped with --no-owner.</summary>
    public List<string>? OwnerStatements { get; set; }

    /// <summary>For --clean (and --if-exists).</summary>
    public List<string>? DropStatements { get; set; }

    public List<string>? DropIfExistsStatements { get; set; }

    /// <summary>Format 1 only: the statements as one text. Read, split into <see cref="Statements"/> and cleared by <see cref="LegacyManifest"/>.</summary>
    public string? Definition { get; set; }

    /// <summary>Format 1 only (see <see cref="Definition"/>).</summary>
    public string? OwnerStatement { get; set; }

    /// <summary>Format 1 only (see <see cref="Definition"/>).</summary>
    public string? DropStatement { get; set; }

    /// <summary>Format 1 only (see <see cref="Definition"/>).</summary>
    public string? DropIfExistsStatement { get; set; }

    public List<int> Dependencies { get; set; } = [];
    public List<string> Roles { get; set; } = [];

    /// <summary>Where role names sit in the statements and owner statements, so a restore can map them exactly.</summary>
    public List<RoleReference> RoleReferences { get; set; } = [];
    public TableDataInfo? Data { get; set; }

    /// <summary>A PRIMARY KEY or UNIQUE constraint's definition in two steps, for restores that build indexes side by side.</summary>
    public IndexFirstSteps? IndexFirst { get; set; }

    /// <summary>What the catalog knew about the object, for decisions after the dump; null in archives written before facts existed.</summary>
    public EntryFacts? Facts { get; set; }

    public string DisplayName => Schema is null ? $"{Kind.TocName()} {Name}" : $"{Kind.TocName()} {Schema}.{Name}";

    /// <summary>Rows or values rather than definitions: what a data-only restore runs and a schema-only one leaves out.</summary>
    public bool IsData => Section == Section.Data || Kind == ObjectKind.MaterializedViewData;

    /// <summary>The "schema.name" of this entry's relation, the form <see cref="Table"/> uses.</summary>
    public string QualifiedName => $"{Schema}.{Name}";
}

/// <summary>
/// Facts the catalog had at dump time, so later decisions never search the entry's SQL (user text — comments, function
/// bodies — sits inside it). Each fact is written only for the kinds it concerns; null means "not recorded", and readers
/// then decide conservatively (see docs/archive-format.md).
/// </summary>
internal sealed class EntryFacts
{
    /// <summary>TABLE: partitioned (PARTITION BY); its indexes and keys then wait for every load.</summary>
    public bool? Partitioned { get; set; }

    /// <summary>CONSTRAINT and FK CONSTRAINT: pg_constraint.contype.</summary>
    public ConstraintType? ConstraintType { get; set; }

    /// <summary>FK CONSTRAINT: the referenced table, "schema.name" (unquoted, as <see cref="TocEntry.Table"/>).</summary>
    public string? ReferencedTable { get; set; }

    /// <summary>FUNCTION and PROCEDURE: SECURITY DEFINER (pg_proc.prosecdef).</summary>
    public bool? SecurityDefiner { get; set; }

    /// <summary>SCHEMA: the entry creates the schema (false for <c>public</c>, which every database has and the entry only comments on).</summary>
    public bool? CreatesSchema { get; set; }

    /// <summary>
    /// Entries that create an object default privileges apply to: the object as GRANT names it (<c>TABLE public.t</c>,
    /// <c>FUNCTION public.f(integer)</c>, <c>SCHEMA s</c>), so a restore can take back what the target's defaults add.
    /// </summary>
    public string? PrivilegeTarget { get; set; }

    /// <summary>With <see cref="PrivilegeTarget"/>: which default privileges (ALTER DEFAULT PRIVILEGES … ON TABLES, …) the creation takes.</summary>
    public DefaultPrivilegeObjects? DefaultPrivileges { get; set; }

    /// <summary>
    /// With <see cref="PrivilegeTarget"/>: the object is created already owned by the entry's owner (an identity sequence
    /// takes its table's owner), so that owner's default privileges apply rather than the restoring role's.
    /// </summary>
    public bool? CreatedAsOwner { get; set; }

    /// <summary>
    /// Any kind, written true by a profile (Supabase: extensions in the platform's schemas, the <c>public</c> schema): the
    /// target's platform already has the object and decides its owner. The entry has no owner or drop statements (an
    /// extension's creates it only when missing), and --clean never drops it, so the platform's grants on it stay.
    /// </summary>
    public bool? ManagedByPlatform { get; set; }
}

/// <summary>
/// The same constraint as the entry's definition, built in two steps: <see cref="Index"/> creates its unique index (under a
/// SHARE lock, so other index builds of the table can run beside it), then <see cref="Constraint"/> adds the constraint
/// USING INDEX (and anything the definition does after it: CLUSTER ON, REPLICA IDENTITY, its comment).
/// </summary>
internal sealed class IndexFirstSteps
{
    public List<string> IndexStatements { get; set; } = [];
    public List<string> ConstraintStatements { get; set; } = [];

    /// <summary>Format 1 only: <see cref="IndexStatements"/> as one text.</summary>
    public string? Index { get; set; }

    /// <summary>Format 1 only: <see cref="ConstraintStatements"/> as one text.</summary>
    public string? Constraint { get; set; }
}

/// <summary>
/// A role name in one of an entry's statements: <see cref="Field"/> "definition" (<see cref="TocEntry.Statements"/>) or
/// "owner" (<see cref="TocEntry.OwnerStatements"/>), <see cref="Statement"/> its index there, <see cref="Offset"/> within it.
/// </summary>
internal sealed class RoleReference
{
    public string Field { get; set; } = "";
    public int Statement { get; set; }
    public int Offset { get; set; }
    public int Length { get; set; }
    public string Role { get; set; } = "";
}

/// <summary>Where a table's rows are and how to check them.</summary>
internal sealed class TableDataInfo
{
    public string File { get; set; } = "";

    [JsonConverter(typeof(DataFormatJsonConverter))]
    public DataFormat Format { get; set; }

    [JsonConverter(typeof(DataCompressionJsonConverter))]
    public DataCompression Compression { get; set; } = DataCompression.None;
    public List<DataColumn> Columns { get; set; } = [];
    public long Rows { get; set; }
    public long Bytes { get; set; }
    public string Checksum { get; set; } = "";

    /// <summary>Extension configuration tables: the extension's condition (pg_extension_config_dump) that chose the rows.</summary>
    public string? Condition { get; set; }

    /// <summary>Columns whose archived values were replaced: column → "NULL" or the literal written instead.</summary>
    public Dictionary<string, string>? Redacted { get; set; }

    /// <summary>Bytes of the COPY stream before compression.</summary>
    public long RawBytes { get; set; }

    /// <summary>
    /// A large table split into block (ctid) ranges, each its own file, dumped and restored concurrently. When set,
    /// <see cref="File"/> is empty and Rows/Bytes are the sums over the chunks.
    /// </summary>
    public List<DataChunk>? Chunks { get; set; }

    /// <summary>The files holding this entry's rows: its chunks, or the one file.</summary>
    public List<DataChunk> Parts() => Chunks ?? [new DataChunk { File = File, Rows = Rows, Bytes = Bytes, RawBytes = RawBytes, Checksum = Checksum }];
}

/// <summary>One block range of a split table: blocks [FirstBlock, EndBlock), or to the end when EndBlock is null.</summary>
internal sealed class DataChunk
{
    public string File { get; set; } = "";
    public long FirstBlock { get; set; }
    public long? EndBlock { get; set; }
    public long Rows { get; set; }
    public long Bytes { get; set; }
    public long RawBytes { get; set; }
    public string Checksum { get; set; } = "";
}

internal sealed class DataColumn
{
    public string Name { get; set; } = "";
    public string Type { get; set; } = "";
}
