using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace FactoryPulse.Dump;

/// <summary>What <see cref="BackupSet.CreateAsync(BackupSetOptions, IProgress{DumpProgress}?, CancellationToken)"/> backs up and how many sets it keeps.</summary>
public sealed record BackupSetOptions
{
    private bool PrintMembers(System.Text.StringBuilder builder) => OptionsText.PrintMembers(this, builder);

    /// <summary>
    /// The database to back up: an Npgsql keyword connection string or a <c>postgres://</c> URI; empty means the PG*
    /// environment variables. Leave it empty when passing an <see cref="Npgsql.NpgsqlDataSource"/> instead.
    /// </summary>
    public string ConnectionString { get; init; } = "";

    /// <summary>
    /// The folder holding the sets (created 0700 when missing), or an object-store prefix (<c>s3://bucket/prefix</c>,
    /// <c>az://container/prefix</c>) whose store package is registered: the sets, their retention and the lock work there
    /// as in a folder (see the README's "Backup sets in object stores").
    /// </summary>
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

    /// <summary>
    /// A scratch server the new set is restored into before it counts as restore-verified: a maintenance connection (a
    /// superuser, or a role with CREATEDB that can create every object of the archive) where the check creates and drops its
    /// own databases. Roles the archive needs must exist there: on a server you run, the check reports missing roles instead
    /// of creating them. Null: <see cref="StartRestoreCheckServer"/>, else the set is verified by its checksums only, and says so.
    /// </summary>
    public string? RestoreCheckConnectionString { get; init; }

    /// <summary>
    /// Starts a throwaway server for the restore check on demand: called once, after the dump, with the source server's major
    /// version, unless <see cref="RestoreCheckConnectionString"/> is set or the set is a Supabase-profile one (which needs a
    /// Supabase project, not a bare server). The caller stops the server after <c>CreateAsync</c> returns.
    /// </summary>
    public Func<int, CancellationToken, Task<RestoreCheckServer>>? StartRestoreCheckServer { get; init; }

    /// <summary>Throws the <see cref="ArgumentException"/> family for contradictory or out-of-range settings, before anything connects or is written.</summary>
    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(ConnectionString, nameof(ConnectionString));
        if (string.IsNullOrWhiteSpace(Directory))
            throw new ArgumentException("The directory of the sets is empty: name the folder to keep them in.", nameof(Directory));
        // Plain scripts are local files (the plain writer renames a temporary file); a store set holds the archives only.
        // (The options stay out of the Archive namespace: "scheme://" is a store location, as ArchiveLocation.IsStore has it.)
        if (Plain && Directory.IndexOf("://", StringComparison.Ordinal) >= 2)
            throw new ArgumentException($"Plain .sql files are written to local folders only, not to an object store ('{Directory.Split('?')[0]}'): leave out Plain (--plain), or keep the sets in a local folder.", nameof(Plain));
        if (Keep < 1)
            throw new ArgumentOutOfRangeException(nameof(Keep), $"Keep must be at least 1, not {Keep}: the newest good set is never deleted.");
        if (!string.IsNullOrEmpty(Prefix) && (Prefix.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || Prefix.Contains("..", StringComparison.Ordinal)))
            throw new ArgumentException($"The prefix '{Prefix}' cannot be part of a file name.", nameof(Prefix));
        if (RestoreCheckConnectionString is not null && string.IsNullOrWhiteSpace(RestoreCheckConnectionString))
            throw new ArgumentException("The restore check's connection string is empty: name a scratch server, or leave it null.", nameof(RestoreCheckConnectionString));
        if (RestoreCheckConnectionString is not null && StartRestoreCheckServer is not null)
            throw new ArgumentException("Give either RestoreCheckConnectionString or StartRestoreCheckServer, not both.", nameof(StartRestoreCheckServer));
        if (Plain && !string.IsNullOrEmpty(Dump?.EncryptionPassphrase))
            throw new ArgumentException("Plain .sql files cannot be encrypted; leave out Plain when encrypting a set.", nameof(Plain));
        // The set decides these for its own archives (see BackupSetWriter), so only the rest of Dump is the caller's to get right.
        if (Dump is not null)
            (Dump with { SchemaOnly = false, DataOnly = false, Format = ArchiveFormat.Directory }).ValidateSettings(nameof(Dump) + ".");
    }
}

/// <summary>
/// Another backup run holds the lock of the sets' folder or store prefix, or took it over from this run (a store lock that
/// was not renewed in time); nothing of this run was committed as a set, and no set was pruned.
/// </summary>
public sealed class BackupSetLockedException : DumpException
{
    /// <summary>Creates the exception.</summary>
    public BackupSetLockedException(string message) : base(message) { }

    /// <summary>The lock: a file path or a store location.</summary>
    public string? LockLocation { get; init; }

    /// <summary>Who holds it, as the lock says (e.g. "process 4242 on host db-backup-1, renewed 20 s ago"); null when it says nothing readable.</summary>
    public string? Holder { get; init; }
}

/// <summary>A server started for the restore check of one backup set (see <see cref="BackupSetOptions.StartRestoreCheckServer"/>), or why there is none.</summary>
public sealed record RestoreCheckServer
{
    private bool PrintMembers(System.Text.StringBuilder builder) => OptionsText.PrintMembers(this, builder);

    /// <summary>Maintenance connection (superuser) where the check creates and drops its own databases; null when no server could be started (see <see cref="Description"/>).</summary>
    public string? ConnectionString { get; init; }

    /// <summary>Where the server runs (e.g. "local PostgreSQL 15.8 on 127.0.0.1:54123"), or why there is none; written into the summary, so never a password.</summary>
    public required string Description { get; init; }

    /// <summary>The server is thrown away after the check: roles the archive needs and the server lacks may be created there (NOLOGIN).</summary>
    public bool MayCreateRoles { get; init; }
}

/// <summary>The archives, summary and pruning of one backup run.</summary>
public sealed record BackupSetResult
{
    /// <summary>Schema and data.</summary>
    public required string CompleteArchive { get; init; }

    /// <summary>Definitions only.</summary>
    public required string SchemaArchive { get; init; }

    /// <summary>Rows only, for a data-only restore into an existing schema.</summary>
    public required string DataArchive { get; init; }

    /// <summary>The Markdown summary (a .json with the same name holds the same facts).</summary>
    public required string SummaryPath { get; init; }

    /// <summary>The .sql files, when asked for.</summary>
    public IReadOnlyList<string> PlainFiles { get; init; } = [];

    /// <summary>Older sets removed by retention.</summary>
    public IReadOnlyList<string> DeletedSets { get; init; } = [];

    /// <summary>The verification of the new set (all three archives); <see cref="VerificationReport.Level"/> says whether it was restored or its checksums checked only.</summary>
    public required VerificationReport Verification { get; init; }
}

/// <summary>
/// A backup set as the Factory Pulse workflow keeps them: <c>{prefix}_schema_backup_…</c>, <c>{prefix}_data_backup_…</c>,
/// <c>{prefix}_complete_backup_…</c> and <c>backup-summary-….md</c>, verified, with older sets pruned.
/// </summary>
public static class BackupSet
{
    /// <summary>
    /// Dumps once (one snapshot), derives the schema-only and data-only archives from that dump, verifies all three (by
    /// restoring them into scratch databases when a scratch server is given or started, else by their checksums only),
    /// writes the summary, then keeps the newest <see cref="BackupSetOptions.Keep"/> complete verified sets. A set that fails
    /// its check is kept, marked unverified, and no older set is deleted. A second run while one is going is refused (lock file,
    /// or lock object in a store) with <see cref="BackupSetLockedException"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The options contradict each other or are out of range (thrown before anything connects).</exception>
    /// <exception cref="ConnectionStringException">The connection string, or a PG* variable filling one of its parts, cannot be understood (an <see cref="ArgumentException"/>; thrown before anything connects).</exception>
    /// <exception cref="DumpException">The set could not be written; the subtype and its properties say how, the inner exception what happened underneath.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public static Task<BackupSetResult> CreateAsync(BackupSetOptions options, IProgress<DumpProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return ErrorTranslation.RunAsync(Operation.BackupSet, Sets.BackupSetWriter.RunAsync(options, null, progress, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// Writes a set as <see cref="CreateAsync(BackupSetOptions, IProgress{DumpProgress}?, CancellationToken)"/> does, dumping
    /// through <paramref name="dataSource"/> (see <see cref="DatabaseDumper.DumpAsync(NpgsqlDataSource, DumpOptions, IProgress{DumpProgress}?, CancellationToken)"/>).
    /// Leave <see cref="BackupSetOptions.ConnectionString"/> empty; the prefix defaults to the data source's database name.
    /// </summary>
    /// <exception cref="ArgumentException">The options contradict each other or are out of range, or name a connection string too (thrown before anything connects).</exception>
    /// <exception cref="ConnectionStringException">The connection string, or a PG* variable filling one of its parts, cannot be understood (an <see cref="ArgumentException"/>; thrown before anything connects).</exception>
    /// <exception cref="DumpException">The set could not be written; the subtype and its properties say how, the inner exception what happened underneath.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The first parameter's type tells the overloads apart: no call can bind to both.")]
    public static Task<BackupSetResult> CreateAsync(NpgsqlDataSource dataSource, BackupSetOptions options, IProgress<DumpProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Sql.ConnectionSource.ThrowIfBothGiven(options.ConnectionString, nameof(options));
        return ErrorTranslation.RunAsync(Operation.BackupSet, Sets.BackupSetWriter.RunAsync(options, dataSource, progress, cancellationToken), cancellationToken);
    }
}
