using System.Globalization;
using Npgsql;
using Testcontainers.PostgreSql;

namespace FactoryPulse.Dump.Testing.Testcontainers;

/// <summary>
/// Throwaway PostgreSQL servers in Docker through Testcontainers, for <see cref="PostgresServer"/>. Referencing this package is enough:
/// <see cref="PostgresServer.StartAsync"/> (and so <see cref="SharedPostgresServer"/>) then falls back to <see cref="DefaultImage"/> when
/// no connection string and no local binaries are available. Set <see cref="PostgresServerOptions.Fallback"/> to
/// <see cref="Fallback"/> for another image, or call <see cref="StartAsync"/> to always use a container.
/// </summary>
public static class TestcontainersPostgres
{
    /// <summary>The image used unless another is named.</summary>
    public const string DefaultImage = "postgres:15-alpine";

    private const int ContainerPort = 5432;

    /// <summary>A <see cref="PostgresServerOptions.Fallback"/> that starts <paramref name="image"/>.</summary>
    /// <param name="image">Docker image of a PostgreSQL server (the official <c>postgres</c> images or compatible).</param>
    /// <returns>The fallback.</returns>
    public static Func<PostgresServerOptions, CancellationToken, Task<PostgresServer>> Fallback(string image = DefaultImage)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(image);
        return (options, cancellationToken) => StartAsync(options, image, cancellationToken);
    }

    /// <summary>
    /// Starts <paramref name="image"/> in Docker with fsync off and the <see cref="PostgresServerOptions.Settings"/> and
    /// <see cref="PostgresServerOptions.Port"/> of <paramref name="options"/> (other options are ignored); disposing the server removes the container.
    /// </summary>
    /// <param name="options">Settings and host port; <see langword="null"/> uses the defaults.</param>
    /// <param name="image">Docker image of a PostgreSQL server.</param>
    /// <param name="cancellationToken">Cancels the start; a half-started container is removed.</param>
    /// <returns>A running server of kind <see cref="PostgresServerKind.Testcontainers"/>.</returns>
    /// <exception cref="PostgresServerUnavailableException">No Docker engine is reachable, or the container did not start.</exception>
    public static async Task<PostgresServer> StartAsync(
        PostgresServerOptions? options = null, string image = DefaultImage, CancellationToken cancellationToken = default)
    {
        options ??= new PostgresServerOptions();
        ArgumentException.ThrowIfNullOrWhiteSpace(image);
        var probe = await DockerProbe.ProbeAsync(cancellationToken).ConfigureAwait(false);
        if (!probe.Reachable)
        {
            throw new PostgresServerUnavailableException($"Testcontainers cannot run {image}: {probe.Reason}.");
        }

        var builder = new PostgreSqlBuilder(image)
            .WithUsername("postgres")
            .WithDatabase("postgres")
            .WithCommand("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200");
        foreach (var (name, value) in options.Settings ?? new Dictionary<string, string>())
        {
            builder = builder.WithCommand("-c", name + "=" + value);
        }

        if (options.Port is int port)
        {
            builder = builder.WithPortBinding(port, ContainerPort);
        }

        var container = builder.Build();
        string connectionString;
        string source;
        try
        {
            await container.StartAsync(cancellationToken).ConfigureAwait(false);
            connectionString = new NpgsqlConnectionStringBuilder(container.GetConnectionString()) { Database = "postgres" }.ConnectionString;
            var hostPort = container.GetMappedPublicPort(ContainerPort).ToString(CultureInfo.InvariantCulture);
            source = $"in Testcontainers {image} on {container.Hostname}:{hostPort}";
        }
        catch (Exception ex)
        {
            await container.DisposeAsync().ConfigureAwait(false);
            if (ex is OperationCanceledException)
            {
                throw;
            }

            throw new PostgresServerUnavailableException(
                $"A Docker engine looked reachable, but the Testcontainers image {image} could not be started: {ex.Message}", ex);
        }

        // Attach checks that the server answers and removes the container when it does not.
        return await PostgresServer.AttachAsync(PostgresServerKind.Testcontainers, connectionString, source, container, cancellationToken)
            .ConfigureAwait(false);
    }
}
