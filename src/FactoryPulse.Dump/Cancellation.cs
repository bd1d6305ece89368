namespace FactoryPulse.Dump;

/// <summary>
/// Cancellation reaches Npgsql mid-statement and comes back wrapped (an NpgsqlException around the
/// OperationCanceledException, or a broken connection): callers get one answer, OperationCanceledException.
/// </summary>
internal static class Cancellation
{
    public static async Task<T> Typed<T>(Task<T> operation, CancellationToken cancellationToken)
    {
        try
        {
            return await operation.ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The operation was cancelled.", exception, cancellationToken);
        }
    }
}
