namespace FactoryPulse.Dump;

/// <summary>Restores a directory archive written by <see cref="DatabaseDumper"/>.</summary>
public static class DatabaseRestorer
{
    /// <summary>
    /// Verifies the archive, checks the target, then creates the schema, loads the data with binary COPY,
    /// builds indexes, constraints, triggers and policies, and applies privileges — in dependency order.
    /// </summary>
    public static Task<RestoreReport> RestoreAsync(
        RestoreOptions options,
        IProgress<DumpProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Restore.RestoreRunner.RunAsync(options, progress, cancellationToken);
    }
}
