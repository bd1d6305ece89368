namespace FactoryPulse.Dump;

/// <summary>What to check besides the archive's own structure and checksums.</summary>
public sealed record VerifyOptions
{
    /// <summary>A server to restore into a scratch database (created and dropped) and compare row counts with the manifest.</summary>
    public string? ConnectionString { get; init; }

    /// <summary>The passphrase of an encrypted archive: without it, an encrypted archive cannot be checked and does not pass.</summary>
    public string? EncryptionPassphrase { get; init; }

    /// <summary>Tables (schema.table) whose data the archive must hold.</summary>
    public IReadOnlyList<string> RequireData { get; init; } = [];
}

/// <summary>The outcome of <see cref="ArchiveVerifier.VerifyAsync"/>.</summary>
/// <param name="Passed">True when no problem was found.</param>
/// <param name="Problems">One line per problem, naming the file or table.</param>
/// <param name="FilesChecked">Data files whose checksum and rows were checked.</param>
/// <param name="RowsCounted">Rows read back from the data files.</param>
public sealed record VerificationReport(bool Passed, IReadOnlyList<string> Problems, int FilesChecked, long RowsCounted);

/// <summary>Checks that an archive is whole and restorable (fpdump verify).</summary>
public static class ArchiveVerifier
{
    /// <summary>
    /// Checks the manifest, every data file's size and checksum, the rows each file holds against the manifest, and
    /// that an archive claiming to be complete holds data; with <see cref="VerifyOptions.ConnectionString"/>, also
    /// restores it into a scratch database and compares row counts.
    /// </summary>
    public static Task<VerificationReport> VerifyAsync(string archivePath, VerifyOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(archivePath);
        return Sets.ArchiveVerification.RunAsync(archivePath, options ?? new VerifyOptions(), cancellationToken);
    }

    /// <summary>
    /// What an archive holds, generated from its manifest: Markdown, or JSON when <paramref name="json"/> is set. An
    /// encrypted archive's manifest is sealed: give its <paramref name="encryptionPassphrase"/>.
    /// </summary>
    public static async Task<string> SummarizeAsync(string archivePath, bool json = false, string? encryptionPassphrase = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(archivePath);
        var manifest = await Archive.ArchiveReader.ReadManifestAsync(archivePath, encryptionPassphrase, cancellationToken).ConfigureAwait(false);
        var summary = Sets.ArchiveSummary.Build(archivePath, manifest);
        summary.Verified = (await VerifyAsync(archivePath, new VerifyOptions { EncryptionPassphrase = encryptionPassphrase }, cancellationToken).ConfigureAwait(false)).Passed;
        return json
            ? System.Text.Json.JsonSerializer.Serialize(summary, Archive.ArchiveManifest.JsonOptions) + "\n"
            : summary.ToMarkdown([(summary.Kind, archivePath)]);
    }
}
