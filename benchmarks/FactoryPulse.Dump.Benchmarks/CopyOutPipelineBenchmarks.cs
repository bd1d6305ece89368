using BenchmarkDotNet.Attributes;
using FactoryPulse.Dump.Data;

namespace FactoryPulse.Dump.Benchmarks;

/// <summary>
/// The whole dump hot path minus the server, through the library's own code: a COPY stream → pipe (1 MiB blocks) →
/// row counter → compressor → xxh3 → owner-only file, as <see cref="TableCopier"/> writes every data file. Each op
/// streams the synthetic COPY stream (~45 MB) once.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class CopyOutPipelineBenchmarks
{
    private byte[] _data = [];
    private string _directory = "";
    private long _fileNumber;

    [Params("zstd", "gzip", "none")]
    public string Compression { get; set; } = "zstd";

    /// <summary>"row": at most 256 bytes per read, like Npgsql's one CopyData message per read; "block": whole requests.</summary>
    [Params("row", "block")]
    public string Reads { get; set; } = "row";

    [GlobalSetup]
    public void Setup()
    {
        _data = SyntheticCopyStream.Generate();
        _directory = Path.Combine(Path.GetTempPath(), "fpdump-bench-" + Guid.NewGuid().ToString("N"));
        OwnerOnlyFiles.CreateDirectory(_directory);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_directory.Length > 0 && Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }

    [Benchmark]
    public async Task<long> CopyOut()
    {
        var path = Path.Combine(_directory, $"{++_fileNumber}.dat");
        try
        {
            var source = new ArraySourceStream(_data, Reads == "row" ? 256 : int.MaxValue);
            // The level a dump uses when none is given (zstd 1, gzip fastest).
            var level = Compression == "gzip" ? Data.Compression.DefaultLevel(DataCompression.Gzip) : Data.Compression.DefaultLevel(DataCompression.Zstd);
            var result = await TableCopier.WriteDataFileAsync(path, Compression, level, key: null,
                sink => TableCopier.PumpBinaryAsync(source, sink, CancellationToken.None), CancellationToken.None).ConfigureAwait(false);
            if (result.Rows != SyntheticCopyStream.Rows)
                throw new InvalidDataException($"Counted {result.Rows} rows.");
            return result.Bytes;
        }
        finally
        {
            File.Delete(path);
        }
    }
}
