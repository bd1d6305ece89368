namespace FactoryPulse.Dump.Testing;

/// <summary>How <see cref="PostgresServer.StartAsync"/> finds or starts a throwaway PostgreSQL server.</summary>
/// <remarks>
/// Sources are tried in order: (a) a connection string in <see cref="ConnectionStringVariable"/>,
/// (b) local server binaries (a fresh cluster in a temp directory), (c) <see cref="Fallback"/> — by default a Testcontainers container
/// when the FactoryPulse.Dump.Testing.Testcontainers package is referenced and a Docker engine is reachable (this package never needs Docker).
/// When none is available <see cref="PostgresServerUnavailableException"/> is thrown; nothing is silently skipped.
/// </remarks>
public sealed record PostgresServerOptions
{
    /// <summary>Name of the environment variable holding a superuser connection string; when it is set, that server is used as is.</summary>
    public string ConnectionStringVariable { get; init; } = "FPDUMP_TEST_CONNECTION";

    /// <summary>
    /// Folder holding <c>initdb</c>, <c>pg_ctl</c> and <c>postgres</c>; <see langword="null"/> searches PATH, then
    /// <c>/usr/lib/postgresql/*/bin</c> (highest version first).
    /// </summary>
    public string? BinariesDirectory { get; init; }

    /// <summary>Loopback port for a server this library starts; <see langword="null"/> picks a free one (and retries if it is taken meanwhile).</summary>
    public int? Port { get; init; }

    /// <summary>
    /// Starts a server when neither <see cref="ConnectionStringVariable"/> nor local binaries give one, e.g.
    /// <c>TestcontainersPostgres.Fallback("postgres:17-alpine")</c> from FactoryPulse.Dump.Testing.Testcontainers; it throws
    /// <see cref="PostgresServerUnavailableException"/> saying why when it cannot. <see langword="null"/>: Testcontainers with its default
    /// image when that package is referenced, else nothing.
    /// </summary>
    public Func<PostgresServerOptions, CancellationToken, Task<PostgresServer>>? Fallback { get; init; }

    /// <summary>
    /// Extra server settings passed as <c>-c name=value</c> to servers this library starts (local binaries, and the Testcontainers fallback);
    /// they win over the built-in defaults. Ignored for a server taken from <see cref="ConnectionStringVariable"/>.
    /// Use <see cref="Port"/> rather than a <c>port</c> setting.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Settings { get; init; }
}
