using System.Net.Sockets;

namespace FactoryPulse.Dump.Testing.Testcontainers;

/// <summary>Cheap check whether Testcontainers has a Docker engine to talk to, without waiting on Testcontainers' own discovery.</summary>
internal static class DockerProbe
{
    private const string SocketPath = "/var/run/docker.sock";

    /// <summary>Returns whether a Docker engine looks reachable, and a short reason either way for error messages.</summary>
    public static async Task<(bool Reachable, string Reason)> ProbeAsync(CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("DOCKER_HOST")))
        {
            return (true, "DOCKER_HOST is set");
        }

        if (OperatingSystem.IsWindows() || !File.Exists(SocketPath))
        {
            return (false, $"no Docker engine (DOCKER_HOST is not set and {SocketPath} does not exist)");
        }

        // The socket file can outlive the daemon, so actually connect.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(3));
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath), timeout.Token).ConfigureAwait(false);
            return (true, $"{SocketPath} accepts connections");
        }
        catch (SocketException ex)
        {
            return (false, $"no Docker engine ({SocketPath} exists but refused the connection: {ex.SocketErrorCode})");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (false, $"no Docker engine ({SocketPath} did not answer within 3 s)");
        }
    }
}
