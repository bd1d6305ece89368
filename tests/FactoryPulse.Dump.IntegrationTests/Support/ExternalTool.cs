using System.Diagnostics;
using System.Text;
using FactoryPulse.Dump.IntegrationTests.Oracle;

namespace FactoryPulse.Dump.IntegrationTests.Support;

/// <summary>Runs psql (to load fixtures, as their README says) and the fpdump CLI as child processes.</summary>
internal static class ExternalTool
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static async Task<Result> RunAsync(string executable, IEnumerable<string> arguments, IDictionary<string, string>? environment = null, CancellationToken ct = default)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
                start.Environment[key] = value;
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {executable}");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await Task.WhenAll(stdout, stderr, process.WaitForExitAsync(ct));
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>psql -X -v ON_ERROR_STOP=1 -f FILE, password through PGPASSWORD.</summary>
    public static async Task PsqlFileAsync(string connectionString, string file, CancellationToken ct = default)
    {
        var conn = LibpqConnInfo.FromNpgsql(connectionString);
        var environment = new Dictionary<string, string> { ["PGCLIENTENCODING"] = "UTF8" };
        if (conn.Password is not null)
            environment["PGPASSWORD"] = conn.Password;
        var result = await RunAsync("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", conn.ConnInfo, "-f", file], environment, ct);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"psql -f {file} failed ({result.ExitCode}): {result.Stderr}");
    }

    /// <summary>The fpdump CLI built next to this test assembly (project reference), run with the dotnet host.</summary>
    public static Task<Result> FpdumpAsync(params string[] arguments)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "fpdump.dll");
        if (!File.Exists(dll))
            throw new FileNotFoundException("fpdump.dll is not next to the test assembly; build the solution first.", dll);
        var all = new List<string> { dll };
        all.AddRange(arguments);
        return RunAsync("dotnet", all);
    }
}
