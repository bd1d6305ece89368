using BenchmarkDotNet.Attributes;
using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Data;

namespace FactoryPulse.Dump.Benchmarks;

/// <summary>What the data-path benchmarks share: the synthetic COPY stream, an owner-only temp directory, file names.</summary>
public abstract class SyntheticStreamBenchmarks
{
    private string _directory = "";
    private long _fileNumber;

    protected byte[] Data { get; private set; } = [];

    protected void CreateStreamAndDirectory()
    {
        Data = SyntheticCopyStream.Generate();
        _directory = Path.Combine(Path.GetTempPath(), "fpdump-bench-" + Guid.NewGuid().ToString("N"));
        OwnerOnlyFiles.CreateDirectory(_directory);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_directory.Length > 0 && Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }

    protected string NextPath() => Path.Combine(_directory, $"{++_fileNumber}.dat");
}
