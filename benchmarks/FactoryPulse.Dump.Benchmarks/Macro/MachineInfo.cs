using System.Globalization;
using System.Runtime.InteropServices;

namespace FactoryPulse.Dump.Benchmarks.Macro;

/// <summary>What the numbers were measured on.</summary>
internal sealed record MachineInfo(string Cpu, int Cores, long MemoryBytes, string Os, string Runtime, string ServerVersion, string PgDumpVersion, string Commit)
{
    public static async Task<MachineInfo> CollectAsync(string repoRoot, PgTools tools, string serverVersion)
    {
        var cpu = ReadFirst("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString();
        var memKb = ReadFirst("/proc/meminfo", "MemTotal")?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        var memory = long.TryParse(memKb, NumberStyles.Integer, CultureInfo.InvariantCulture, out var kb) ? kb * 1024 : 0;
        var pgDump = (await ChildProcess.RunAsync(new ProcessSpec(tools.PgDump, ["--version"])).ConfigureAwait(false)).StandardOutput.Trim();
        var commit = "unknown";
        try
        {
            var head = await ChildProcess.RunAsync(new ProcessSpec("git", ["-C", repoRoot, "rev-parse", "--short", "HEAD"])).ConfigureAwait(false);
            var status = await ChildProcess.RunAsync(new ProcessSpec("git", ["-C", repoRoot, "status", "--porcelain", "--untracked-files=no", "--", "src"])).ConfigureAwait(false);
            if (head.ExitCode == 0)
                commit = head.StandardOutput.Trim() + (status.StandardOutput.Trim().Length > 0 ? " + uncommitted changes in src/" : "");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // no git
        }

        return new MachineInfo(cpu, Environment.ProcessorCount, memory, RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription,
            serverVersion, pgDump, commit);
    }

    private static string? ReadFirst(string file, string key)
    {
        try
        {
            foreach (var line in File.ReadLines(file))
            {
                if (line.StartsWith(key, StringComparison.Ordinal))
                {
                    var colon = line.IndexOf(':', StringComparison.Ordinal);
                    return colon < 0 ? null : line[(colon + 1)..].Trim();
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }
}
