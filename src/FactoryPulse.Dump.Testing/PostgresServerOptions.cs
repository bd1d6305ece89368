namespace FactoryPulse.Dump.Testing;

/// <summary>How <see cref="PostgresServer.StartAsync"/> finds or starts a throwaway PostgreSQL server.</summary>
/// <remarks>
/// Sources are tried in order: (a) a connection string in <see cref="ConnectionStringVariable"/>,
/// (b) local server binaries (a fresh cluster in a temp directory), (c) Testcontainers when a Docker engine is reachable.
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

    /// <summary>Whether to fall back to a Testcontainers PostgreSQL container when no local binaries exist and a Docker engine is reachable.</summary>
    public bool UseTestcontainers { get; init; } = true;

    /// <summary>Docker image used for the Testcontainers fallback.</summary>
    public string TestcontainersImage { get; init; } = "postgres:15-alpine";

    /// <summary>
    /// Extra server settings passed as <c>-c name=value</c> to servers this library starts (local binaries or Testcontainers);
    /// they win over the built-in defaults. Ignored for a server taken from <see cref="ConnectionStringVariable"/>.
    /// Use <see cref="Port"/> rather than a <c>port</c> setting.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Settings { get; init; }
}
