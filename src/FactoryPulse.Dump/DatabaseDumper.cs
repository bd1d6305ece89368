namespace FactoryPulse.Dump;

/// <summary>Writes a directory archive of a PostgreSQL database without pg_dump.</summary>
public static class DatabaseDumper
{
    /// <summary>
    /// Reads the catalog and all table data inside one REPEATABLE READ READ ONLY snapshot and writes a
    /// directory archive to <see cref="DumpOptions.OutputPath"/>. The archive is written under a temporary
    /// name and renamed only when complete.
    /// </summary>
    public static Task<DumpResult> DumpAsync(
        DumpOptions options,
        IProgress<DumpProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Cancellation.Typed(Dumping.DumpRunner.RunAsync(options, progress, cancellationToken), cancellationToken);
    }
}
