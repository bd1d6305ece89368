using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace FactoryPulse.Dump.IntegrationTests.Support;

/// <summary>
/// An object store for the store tests: a server the fixture starts itself (installed from npm by .ci/fetch-stores.sh),
/// or a real bucket or container named by environment variables (see the README). Every fixture writes under its own
/// run prefix, so a real bucket can be shared.
/// </summary>
public abstract class StoreServer : IAsyncLifetime
{
    private Process? _process;
    private string? _dataDirectory;

    /// <summary>The scheme's location of <paramref name="name"/> under this run's prefix, e.g. <c>s3://bucket/run-…/name</c>.</summary>
    public abstract string Location(string name);

    /// <summary>The object name (key) of <paramref name="name"/> under this run's prefix, for raw SDK access.</summary>
    public string ObjectName(string name) => $"{RunPrefix}/{name}";

    protected string RunPrefix { get; } = $"run-{Guid.NewGuid():N}"[..16];

    /// <summary>Environment for a child fpdump process that reaches this store.</summary>
    public abstract IReadOnlyDictionary<string, string> CliEnvironment { get; }

    /// <summary>Registers the store with the library in this process.</summary>
    public abstract void Register(bool createMissing = false);

    public abstract Task<byte[]> ReadObjectAsync(string objectName);

    public abstract Task WriteObjectAsync(string objectName, byte[] content);

    public abstract Task<List<string>> ListObjectsAsync(string prefix);

    /// <summary>A container or bucket name that does not exist.</summary>
    public abstract string MissingContainerLocation(string name);

    public abstract Task InitializeAsync();

    public virtual Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        _process?.Dispose();
        if (_dataDirectory is not null && Directory.Exists(_dataDirectory))
            Directory.Delete(_dataDirectory, recursive: true);
        return Task.CompletedTask;
    }

    private readonly Queue<string> _lastLines = new();

    /// <summary>The server's last lines of output.</summary>
    public string Output
    {
        get
        {
            lock (_lastLines)
                return string.Join('\n', _lastLines);
        }
    }

    private void Remember(string? line)
    {
        if (line is null)
            return;
        lock (_lastLines)
        {
            _lastLines.Enqueue(line);
            if (_lastLines.Count > 200)
                _lastLines.Dequeue();
        }
        if (Environment.GetEnvironmentVariable("FPDUMP_STORE_SERVER_LOG") is { Length: > 0 } log)
            File.AppendAllText(log, line + "\n");
    }

    /// <summary>Where .ci/fetch-stores.sh installed the servers (same rules as the script).</summary>
    protected static string CacheDirectory =>
        Environment.GetEnvironmentVariable("FPDUMP_STORES_CACHE") is { Length: > 0 } configured ? Path.GetFullPath(configured)
        : Environment.UserName == "root" ? "/var/cache/fpdump-stores"
        : Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "fpdump-stores");

    protected static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts <c>node flags… script arguments…</c> with a fresh data directory (passed as {data}) and waits for the port.</summary>
    protected async Task StartNodeAsync(string package, string script, int port, string[] nodeFlags, params string[] arguments)
    {
        var path = Path.Combine(CacheDirectory, package, "node_modules", package, script);
        if (!File.Exists(path))
            throw new InvalidOperationException($"{package} is not installed at {path}: run .ci/fetch-stores.sh first (it installs s3rver and azurite from npm).");
        _dataDirectory = Directory.CreateTempSubdirectory($"fpdump-{package}-").FullName;
        var start = new ProcessStartInfo("node") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var flag in nodeFlags)
            start.ArgumentList.Add(flag);
        start.ArgumentList.Add(path);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument.Replace("{data}", _dataDirectory, StringComparison.Ordinal));
        _process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        // The server's last lines, for the message when it fails.
        _process.OutputDataReceived += (_, line) => Remember(line.Data);
        _process.ErrorDataReceived += (_, line) => Remember(line.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"{package} exited with code {_process.ExitCode} before listening on port {port}: {Output}");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }
}
