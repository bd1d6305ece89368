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
public class CopyOutPipelineBenchmarks : SyntheticStreamBenchmarks
{
    [Params("zstd", "gzip", "none")]
    public string Compression { get; set; } = "zstd";

    /// <summary>"row": at most 256 bytes per read, like Npgsql's one CopyData message per read; "block": whole requests.</summary>
    [Params("row", "block")]
    public string Reads { get; set; } = "row";

    [GlobalSetup]
    public void Setup() => CreateStreamAndDirectory();

    [Benchmark]
    public async Task<long> CopyOut()
    {
        var path = NextPath();
        try
        {
            var source = new ArraySourceStream(Data, Reads == "row" ? 256 : int.MaxValue);
            // The level a dump uses when none is given (zstd 1, gzip fastest).
            var level = Compression == "gzip" ? FactoryPulse.Dump.Data.Compression.DefaultLevel(DataCompression.Gzip) : FactoryPulse.Dump.Data.Compression.DefaultLevel(DataCompression.Zstd);
            var result = await DataFiles.WriteAsync(path, Compression switch { "gzip" => DataCompression.Gzip, "none" => DataCompression.None, _ => DataCompression.Zstd }, level, key: null,
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
