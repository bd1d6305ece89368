using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using FactoryPulse.Dump.Benchmarks.Macro;

namespace FactoryPulse.Dump.Benchmarks;

public static class Program
{
    /// <summary><c>macro …</c> runs the end-to-end comparison (see README.md); anything else goes to BenchmarkDotNet.</summary>
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "macro")
            return await MacroBenchmark.RunAsync(args[1..]).ConfigureAwait(false);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, DefaultConfig.Instance.WithArtifactsPath(ArtifactsDirectory()));
        return 0;
    }

    // Keep BenchmarkDotNet's reports next to this project instead of wherever `dotnet run` was started.
    private static string ArtifactsDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FactoryPulse.Dump.Benchmarks.csproj")))
                return Path.Combine(dir.FullName, "BenchmarkDotNet.Artifacts");
        }
        return Path.Combine(AppContext.BaseDirectory, "BenchmarkDotNet.Artifacts");
    }
}
