using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Data;

namespace FactoryPulse.Dump.Tests;

/// <summary>Data files written for a batched flush: recorded instead of synced one by one, then synced together before the manifest.</summary>
public sealed class PendingFileSyncsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("fpdump-syncs-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static Task<CopyOutResult> FillAsync(Stream sink, byte value)
    {
        var bytes = new byte[1000];
        Array.Fill(bytes, value);
        sink.Write(bytes);
        return Task.FromResult(new CopyOutResult(1, 1000, "", 1000));
    }

    [Fact]
    public async Task Files_written_for_a_batched_flush_are_recorded_and_complete_before_the_flush()
    {
        var pending = new PendingFileSyncs();
        var paths = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            var path = Path.Combine(_directory, $"{i}.dat");
            paths.Add(path);
            var result = await DataFiles.WriteBatchedAsync(path, DataCompression.None, 0, null, sink => FillAsync(sink, (byte)i), pending, CancellationToken.None);
            result.Bytes.Should().Be(1000);
            result.Checksum.Should().Be(await DataFiles.ChecksumAsync(path, CancellationToken.None));
        }

        pending.Count.Should().Be(20);
        await pending.SyncAllAsync(CancellationToken.None);
        pending.Count.Should().Be(0);
        foreach (var path in paths)
            new FileInfo(path).Length.Should().Be(1000);
    }

    [Fact]
    public async Task Without_a_batch_nothing_is_left_pending()
    {
        var pending = new PendingFileSyncs();
        var path = Path.Combine(_directory, "direct.dat");
        await DataFiles.WriteAsync(path, DataCompression.None, 0, null, sink => FillAsync(sink, 7), CancellationToken.None);
        pending.Count.Should().Be(0);
        File.ReadAllBytes(path).Should().HaveCount(1000).And.OnlyContain(b => b == 7);
    }

    [Fact]
    public async Task A_file_that_cannot_be_synced_fails_the_flush()
    {
        var pending = new PendingFileSyncs();
        for (var i = 0; i < 30; i++)
        {
            var path = Path.Combine(_directory, $"{i}.dat");
            await File.WriteAllBytesAsync(path, [1, 2, 3]);
            pending.Add(path);
        }
        pending.Add(Path.Combine(_directory, "gone.dat"));

        await pending.Invoking(p => p.SyncAllAsync(CancellationToken.None)).Should().ThrowAsync<FileNotFoundException>();
    }

    [Fact]
    public async Task An_empty_batch_completes_at_once()
    {
        var pending = new PendingFileSyncs();
        await pending.SyncAllAsync(CancellationToken.None);
        pending.Count.Should().Be(0);
    }
}
