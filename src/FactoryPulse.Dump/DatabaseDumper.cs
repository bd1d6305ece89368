namespace FactoryPulse.Dump;

/// <summary>Writes a directory archive of a PostgreSQL database without pg_dump.</summary>
public static class DatabaseDumper
{
    /// <summary>
    /// Reads the catalog and all table data inside one REPEATABLE READ READ ONLY snapshot and writes a
    /// directory archive to <see cref="DumpOptions.OutputPath"/>. The archive is written under a temporary
    /// name and renamed only when complete.
    /// </summary>
    /// <exception cref="ArgumentException">The options contradict each other or are out of range (thrown before anything connects).</exception>
    /// <exception cref="DumpException">The dump failed; the subtype and its properties say how, the inner exception what happened underneath.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; no archive is left under the output path.</exception>
    public static Task<DumpResult> DumpAsync(
        DumpOptions options,
        IProgress<DumpProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return ErrorTranslation.RunAsync(Operation.Dump, Dumping.DumpRunner.RunAsync(options, progress, cancellationToken), cancellationToken);
    }
}
