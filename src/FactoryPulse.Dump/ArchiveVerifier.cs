namespace FactoryPulse.Dump;

/// <summary>What to check besides the archive's own structure and checksums.</summary>
public sealed record VerifyOptions
{
    private bool PrintMembers(System.Text.StringBuilder builder) => OptionsText.PrintMembers(this, builder);

    /// <summary>
    /// A server to restore into a scratch database (created and dropped) and compare row counts with the manifest. A
    /// connection string, not a data source: the check connects to the database it creates, and a data source is bound to one.
    /// </summary>
    public string? ConnectionString { get; init; }

    /// <summary>The passphrase of an encrypted archive: without it, an encrypted archive cannot be checked and does not pass.</summary>
    public string? EncryptionPassphrase { get; init; }

    /// <summary>Tables (schema.table) whose data the archive must hold.</summary>
    public IReadOnlyList<string> RequireData { get; init; } = [];

    /// <summary>Throws the <see cref="ArgumentException"/> family for settings that cannot mean anything, before anything is read.</summary>
    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(RequireData, nameof(RequireData));
        foreach (var table in RequireData)
        {
            // The check compares with schema.table: a name without a dot could never match and would always fail.
            if (string.IsNullOrWhiteSpace(table) || !table.Contains('.', StringComparison.Ordinal))
                throw new ArgumentException($"RequireData names tables as schema.table, not '{table}'.", nameof(RequireData));
        }
    }
}

/// <summary>The outcome of <see cref="ArchiveVerifier.VerifyAsync"/>.</summary>
public sealed record VerificationReport
{
    /// <summary>True when no problem was found.</summary>
    public required bool Passed { get; init; }

    /// <summary>One line per problem, naming the file or table.</summary>
    public required IReadOnlyList<string> Problems { get; init; }

    /// <summary>Data files whose checksum and rows were checked.</summary>
    public required int FilesChecked { get; init; }

    /// <summary>Rows read back from the data files.</summary>
    public required long RowsCounted { get; init; }

    /// <summary>How far the check went: the files alone, or a real restore whose row counts matched.</summary>
    public VerificationLevel Level { get; init; } = VerificationLevel.Checksums;

    /// <summary>The level in words, with the reason when no restore was done (e.g. no scratch server, or a Supabase-profile set).</summary>
    public string LevelDescription { get; init; } = "";
}

/// <summary>How far a verification went (see <see cref="VerificationReport.Level"/>).</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<VerificationLevel>))]
public enum VerificationLevel
{
    /// <summary>Manifest, sizes, checksums and the rows each data file holds: the files are whole, not that they restore.</summary>
    Checksums,

    /// <summary>As <see cref="Checksums"/>, and restored into scratch databases with zero errors and every table's rows equal to the manifest.</summary>
    Restored,
}

/// <summary>Checks that an archive is whole and restorable (fpdump verify).</summary>
public static class ArchiveVerifier
{
    /// <summary>
    /// Checks the manifest, every data file's size and checksum, the rows each file holds against the manifest, and
    /// that an archive claiming to be complete holds data; with <see cref="VerifyOptions.ConnectionString"/>, also
    /// restores it into a scratch database and compares row counts.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="archivePath"/> is empty or the options are invalid.</exception>
    /// <exception cref="DumpException">The check could not run (e.g. <see cref="ServerConnectionException"/> for the scratch server); problems found in the archive are in the report instead.</exception>
    public static Task<VerificationReport> VerifyAsync(string archivePath, VerifyOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(archivePath);
        options ??= new VerifyOptions();
        options.Validate();
        return ErrorTranslation.RunAsync(Operation.Verify, Sets.ArchiveVerification.RunAsync(archivePath, options, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// What an archive holds, generated from its manifest: Markdown, or JSON when <paramref name="json"/> is set. An
    /// encrypted archive's manifest is sealed: give its <paramref name="encryptionPassphrase"/>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="archivePath"/> is empty.</exception>
    /// <exception cref="ArchiveException">The archive is missing, incomplete or unreadable.</exception>
    public static Task<string> SummarizeAsync(string archivePath, bool json = false, string? encryptionPassphrase = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(archivePath);
        return ErrorTranslation.RunAsync(Operation.Summarize, SummarizeCoreAsync(archivePath, json, encryptionPassphrase, cancellationToken), cancellationToken);
    }

    private static async Task<string> SummarizeCoreAsync(string archivePath, bool json, string? encryptionPassphrase, CancellationToken cancellationToken)
    {
        var manifest = await Archive.ArchiveReader.ReadManifestAsync(archivePath, encryptionPassphrase, cancellationToken).ConfigureAwait(false);
        var summary = Sets.ArchiveSummary.Build(archivePath, manifest);
        if (Archive.ArchiveLocation.IsStore(archivePath))
            await summary.AddStoreFilesAsync(archivePath, cancellationToken).ConfigureAwait(false);
        var key = manifest.Encryption is { } encryption && encryptionPassphrase is not null ? encryption.KeyFrom(encryptionPassphrase) : null;
        summary.StorageBuckets = await Sets.StorageBucketNames.ReadAsync(archivePath, manifest, key, cancellationToken).ConfigureAwait(false);
        var report = await VerifyAsync(archivePath, new VerifyOptions { EncryptionPassphrase = encryptionPassphrase }, cancellationToken).ConfigureAwait(false);
        summary.Verified = report.Passed;
        summary.VerificationLevel = report.Level;
        summary.Verification = report.LevelDescription;
        summary.Warnings.AddRange(report.Problems);
        return json
            ? summary.ToJson() + "\n"
            : summary.ToMarkdown([(summary.Kind, archivePath)]);
    }
}
