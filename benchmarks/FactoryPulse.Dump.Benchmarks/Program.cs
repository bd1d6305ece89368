using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

namespace FactoryPulse.Dump.Benchmarks;

public static class Program
{
    public static void Main(string[] args) =>
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, DefaultConfig.Instance.WithArtifactsPath(ArtifactsDirectory()));

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
