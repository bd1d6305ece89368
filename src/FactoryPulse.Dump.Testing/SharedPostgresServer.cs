namespace FactoryPulse.Dump.Testing;

/// <summary>
/// One <see cref="PostgresServer"/> per test process, started lazily with default options on first use and stopped when the process
/// exits. Test classes share it and each create their own database (<see cref="PostgresServer.CreateDatabaseAsync"/>), so they can run
/// in parallel. Disposing the returned server does nothing.
/// </summary>
public static class SharedPostgresServer
{
    // The start runs detached from any caller's token: one test being cancelled must not cancel the server for all others.
    // A failed start is cached, so every test reports the same clear error instead of each trying (and failing) again.
    private static readonly Lazy<Task<PostgresServer>> Server = new(() => Task.Run(StartAsync), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Returns the process-wide server, starting it on the first call.</summary>
    /// <param name="ct">Stops waiting for the server (the start itself carries on for other callers).</param>
    /// <returns>The shared server.</returns>
    /// <exception cref="PostgresServerUnavailableException">No server could be found or started.</exception>
    public static Task<PostgresServer> GetAsync(CancellationToken ct = default) => Server.Value.WaitAsync(ct);

    private static async Task<PostgresServer> StartAsync()
    {
        var server = await PostgresServer.StartAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
        server.IsShared = true;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.DisposeOnProcessExit();
        return server;
    }
}
