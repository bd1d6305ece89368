using System.Buffers;
using System.IO.Hashing;
using BenchmarkDotNet.Attributes;
using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Data;

namespace FactoryPulse.Dump.Benchmarks;

/// <summary>
/// The per-chunk work of <see cref="TableCopier.CopyOutAsync"/>'s binary path, minus the server: every op runs
/// the whole synthetic COPY stream (~45 MB) through it in <see cref="ChunkSize"/> pieces.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class DataPathBenchmarks : SyntheticStreamBenchmarks
{
    /// <summary>64 KiB (a typical socket/stream buffer) and 1 MiB (TableCopier.BufferSize).</summary>
    [Params(64 * 1024, 1024 * 1024)]
    public int ChunkSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        CreateStreamAndDirectory();
        var counter = new BinaryCopyRowCounter();
        counter.Feed(Data);
        if (!counter.SawTrailer || counter.Rows != SyntheticCopyStream.Rows)
            throw new InvalidOperationException($"Synthetic stream is malformed: {counter.Rows} rows, trailer seen: {counter.SawTrailer}.");
    }

    /// <summary>(a) Row counting only: walks the framing, no copying.</summary>
    [Benchmark]
    public long Counter()
    {
        var counter = new BinaryCopyRowCounter();
        var data = Data.AsSpan();
        for (var offset = 0; offset < data.Length; offset += ChunkSize)
            counter.Feed(data.Slice(offset, Math.Min(ChunkSize, data.Length - offset)));
        if (!counter.SawTrailer)
            throw new InvalidDataException("No trailer.");
        return counter.Rows;
    }

    /// <summary>(b) XxHash3 only.</summary>
    [Benchmark]
    public ulong Hash()
    {
        var hasher = new XxHash3();
        var data = Data.AsSpan();
        for (var offset = 0; offset < data.Length; offset += ChunkSize)
            hasher.Append(data.Slice(offset, Math.Min(ChunkSize, data.Length - offset)));
        return hasher.GetCurrentHashAsUInt64();
    }

    /// <summary>
    /// (c) What CopyOutAsync does per chunk: fill a pooled buffer from the source (here a memcpy), count rows, hash,
    /// await an unbuffered async write to a fresh 0600 file. Includes file create and delete, excludes fsync.
    /// </summary>
    [Benchmark]
    public async Task<long> CounterHashWrite()
    {
        var path = NextPath();
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            var source = new ArraySourceStream(Data);
            var counter = new BinaryCopyRowCounter();
            var hasher = new XxHash3();
            long bytes = 0;
            var file = OwnerOnlyFiles.CreateNew(path, bufferSize: 0);
            await using (file.ConfigureAwait(false))
            {
                int filled;
                while ((filled = source.Read(buffer, 0, ChunkSize)) > 0)
                {
                    var chunk = buffer.AsMemory(0, filled);
                    counter.Feed(chunk.Span);
                    hasher.Append(chunk.Span);
                    await file.WriteAsync(chunk).ConfigureAwait(false);
                    bytes += filled;
                }
                await file.FlushAsync().ConfigureAwait(false);
            }
            if (!counter.SawTrailer || hasher.GetCurrentHashAsUInt64() == 0)
                throw new InvalidDataException("No trailer.");
            return bytes + counter.Rows;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            File.Delete(path);
        }
    }

    /// <summary>(d) Baseline: plain synchronous Stream.CopyTo into an unbuffered file, same chunk size, same create/delete.</summary>
    [Benchmark(Baseline = true)]
    public long CopyToFile()
    {
        var path = NextPath();
        try
        {
            using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
                new ArraySourceStream(Data).CopyTo(file, ChunkSize);
            return Data.Length;
        }
        finally
        {
            File.Delete(path);
        }
    }
}
