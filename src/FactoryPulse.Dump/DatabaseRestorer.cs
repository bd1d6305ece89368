using System.Diagnostics.CodeAnalysis;
using Npgsql;

namespace FactoryPulse.Dump;

/// <summary>Restores a directory archive written by <see cref="DatabaseDumper"/>.</summary>
public static class DatabaseRestorer
{
    /// <summary>
    /// Verifies the archive, checks the target, then creates the schema, loads the data with binary COPY,
    /// builds indexes, constraints, triggers and policies, and applies privileges — in dependency order.
    /// </summary>
    /// <exception cref="ArgumentException">The options contradict each other or are out of range (thrown before anything is read or connected).</exception>
    /// <exception cref="ConnectionStringException">The connection string, or a PG* variable filling one of its parts, cannot be understood (an <see cref="ArgumentException"/>; thrown before anything connects).</exception>
    /// <exception cref="DatabaseExistsException">The database <see cref="RestoreOptions.CreateDatabase"/> or <see cref="RestoreOptions.CreateDatabaseName"/> would create exists; nothing was changed.</exception>
    /// <exception cref="DumpException">The restore failed; the subtype and its properties say how, the inner exception what happened underneath.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public static Task<RestoreReport> RestoreAsync(
        RestoreOptions options,
        IProgress<DumpProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return ErrorTranslation.RunAsync(Operation.Restore, Restore.RestoreRunner.RunAsync(options, null, progress, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// Restores as <see cref="RestoreAsync(RestoreOptions, IProgress{DumpProgress}?, CancellationToken)"/> does, into the
    /// database of <paramref name="dataSource"/>, on its connections (the main one, and <see cref="RestoreOptions.Jobs"/> − 1
    /// workers). The connections go back to the caller's pool; the library never clears it. Leave
    /// <see cref="RestoreOptions.ConnectionString"/> empty. Statements run under the data source's <c>Command Timeout</c>
    /// (Npgsql's default is 30 seconds): build it with <c>Command Timeout=0</c> when loading a table or building an index may take longer.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The options contradict each other or are out of range, name a connection string too, or set
    /// <see cref="RestoreOptions.CreateDatabase"/> or <see cref="RestoreOptions.CreateDatabaseName"/>: a data source is bound to one database, so it cannot create and then
    /// connect to another (use the connection-string overload for that). Thrown before anything is read or connected.
    /// </exception>
    /// <exception cref="ConnectionStringException">The connection string, or a PG* variable filling one of its parts, cannot be understood (an <see cref="ArgumentException"/>; thrown before anything connects).</exception>
    /// <exception cref="DumpException">The restore failed; the subtype and its properties say how, the inner exception what happened underneath.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The first parameter's type tells the overloads apart: no call can bind to both.")]
    public static Task<RestoreReport> RestoreAsync(
        NpgsqlDataSource dataSource,
        RestoreOptions options,
        IProgress<DumpProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Sql.ConnectionSource.ThrowIfBothGiven(options.ConnectionString, nameof(options));
        if (options.CreateDatabase || options.CreateDatabaseName is not null)
            throw new ArgumentException("CreateDatabase and CreateDatabaseName need a connection string: a data source is bound to one database and cannot connect to the one it creates.", nameof(options));
        return ErrorTranslation.RunAsync(Operation.Restore, Restore.RestoreRunner.RunAsync(options, dataSource, progress, cancellationToken), cancellationToken);
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
