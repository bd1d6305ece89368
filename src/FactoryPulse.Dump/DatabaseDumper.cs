using System.Diagnostics.CodeAnalysis;
using Npgsql;

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
    /// <exception cref="ConnectionStringException">The connection string, or a PG* variable filling one of its parts, cannot be understood (an <see cref="ArgumentException"/>; thrown before anything connects).</exception>
    /// <exception cref="DumpException">The dump failed; the subtype and its properties say how, the inner exception what happened underneath.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; no archive is left under the output path.</exception>
    public static Task<DumpResult> DumpAsync(
        DumpOptions options,
        IProgress<DumpProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return ErrorTranslation.RunAsync(Operation.Dump, Dumping.DumpRunner.RunAsync(options, null, progress, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// Dumps as <see cref="DumpAsync(DumpOptions, IProgress{DumpProgress}?, CancellationToken)"/> does, on connections
    /// from <paramref name="dataSource"/> (the main one, and <see cref="DumpOptions.Jobs"/> − 1 workers that share its
    /// snapshot). The connections go back to the caller's pool; the library never clears it. Leave
    /// <see cref="DumpOptions.ConnectionString"/> empty. Statements run under the data source's <c>Command Timeout</c>
    /// (Npgsql's default is 30 seconds): build it with <c>Command Timeout=0</c> when copying the largest table may take longer.
    /// </summary>
    /// <exception cref="ArgumentException">The options contradict each other or are out of range, or name a connection string too (thrown before anything connects).</exception>
    /// <exception cref="ConnectionStringException">The connection string, or a PG* variable filling one of its parts, cannot be understood (an <see cref="ArgumentException"/>; thrown before anything connects).</exception>
    /// <exception cref="DumpException">The dump failed; the subtype and its properties say how, the inner exception what happened underneath.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; no archive is left under the output path.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The first parameter's type tells the overloads apart: no call can bind to both.")]
    public static Task<DumpResult> DumpAsync(
        NpgsqlDataSource dataSource,
        DumpOptions options,
        IProgress<DumpProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Sql.ConnectionSource.ThrowIfBothGiven(options.ConnectionString, nameof(options));
        return ErrorTranslation.RunAsync(Operation.Dump, Dumping.DumpRunner.RunAsync(options, dataSource, progress, cancellationToken), cancellationToken);
    }
}
