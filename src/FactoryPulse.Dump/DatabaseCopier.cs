namespace FactoryPulse.Dump;

/// <summary>Copies a database straight into another, without an archive in between (like pgcopydb).</summary>
public static class DatabaseCopier
{
    /// <summary>
    /// Reads the source's catalog in one exported snapshot and runs the restore engine on the target, each table's rows
    /// streaming from a source connection in that snapshot (<c>COPY … TO STDOUT</c>) into the target (<c>COPY … FROM
    /// STDIN</c>): the same checks before the first change, dependency order, parallel loads with indexes and keys built
    /// as soon as their table is in, and data-only, filter, profile and role-map options as a restore. The target may run
    /// a newer major version than the source, never an older one.
    /// </summary>
    /// <exception cref="ArgumentException">The options contradict each other or are out of range (thrown before anything connects).</exception>
    /// <exception cref="ConnectionStringException">A connection string, or a PG* variable filling one of its parts, cannot be understood.</exception>
    /// <exception cref="DatabaseExistsException">The database <see cref="CopyOptions.CreateDatabase"/> or <see cref="CopyOptions.CreateDatabaseName"/> would create exists; nothing was changed.</exception>
    /// <exception cref="DumpException">
    /// The copy failed; the subtype and its properties say how (<see cref="RestoreFailedException"/> when the target
    /// refused an entry, with <see cref="DumpException.Entry"/>; a plain <see cref="DumpException"/> naming the table when
    /// reading the source failed), the inner exception what happened underneath.
    /// </exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public static Task<CopyResult> CopyAsync(
        CopyOptions options,
        IProgress<DumpProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return ErrorTranslation.RunAsync(Operation.Copy, Copy.CopyRunner.RunAsync(options, progress, cancellationToken), cancellationToken);
    }
}
