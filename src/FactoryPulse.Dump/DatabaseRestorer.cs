namespace FactoryPulse.Dump;

/// <summary>Restores a directory archive written by <see cref="DatabaseDumper"/>.</summary>
public static class DatabaseRestorer
{
    /// <summary>
    /// Verifies the archive, checks the target, then creates the schema, loads the data with binary COPY,
    /// builds indexes, constraints, triggers and policies, and applies privileges — in dependency order.
    /// </summary>
    /// <exception cref="ArgumentException">The options contradict each other or are out of range (thrown before anything is read or connected).</exception>
    /// <exception cref="DumpException">The restore failed; the subtype and its properties say how, the inner exception what happened underneath.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public static Task<RestoreReport> RestoreAsync(
        RestoreOptions options,
        IProgress<DumpProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return ErrorTranslation.RunAsync(Operation.Restore, Restore.RestoreRunner.RunAsync(options, progress, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// The archive's table of contents, one entry a line (<c>dumpId; KIND schema name owner</c>), like <c>pg_restore -l</c>.
    /// Edit it and pass it back as <see cref="RestoreOptions.UseListFile"/> to restore a selection. An encrypted archive's
    /// table of contents is sealed: give its <paramref name="encryptionPassphrase"/>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="inputPath"/> is empty.</exception>
    /// <exception cref="ArchiveException">The archive is missing, incomplete or unreadable.</exception>
    public static Task<string> ListAsync(string inputPath, string? encryptionPassphrase = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(inputPath);
        return ErrorTranslation.RunAsync(Operation.List, Restore.RestoreRunner.ListAsync(inputPath, encryptionPassphrase, cancellationToken), cancellationToken);
    }
}
