using FactoryPulse.Dump.Archive;

namespace FactoryPulse.Dump.Tests;

public sealed class StagedOutputTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"fpdump-staged-{Guid.NewGuid():N}");

    public StagedOutputTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_directory_appears_under_its_name_only_when_written_whole()
    {
        var target = Path.Combine(_directory, "archive");
        var seen = await StagedOutput.WriteDirectoryAsync(target, temp =>
        {
            Directory.Exists(target).Should().BeFalse();
            Path.GetFileName(temp).Should().StartWith(".archive.incomplete-");
            File.WriteAllText(Path.Combine(temp, "manifest.json"), "{}");
            return Task.FromResult(temp);
        });
        File.ReadAllText(Path.Combine(target, "manifest.json")).Should().Be("{}");
        Directory.Exists(seen).Should().BeFalse();
    }

    [Fact]
    public async Task A_failed_write_leaves_nothing_behind()
    {
        var target = Path.Combine(_directory, "archive");
        var directory = () => StagedOutput.WriteDirectoryAsync<int>(target, temp =>
        {
            File.WriteAllText(Path.Combine(temp, "part"), "x");
            throw new IOException("disk full");
        });
        await directory.Should().ThrowAsync<IOException>();
        var file = () => StagedOutput.WriteFileAsync<int>(Path.Combine(_directory, "dump.sql"), overwrite: false, async stream =>
        {
            await stream.WriteAsync(new byte[] { 1, 2, 3 });
            throw new IOException("disk full");
        }, CancellationToken.None);
        await file.Should().ThrowAsync<IOException>();
        Directory.EnumerateFileSystemEntries(_directory).Should().BeEmpty();
    }

    [Fact]
    public async Task A_file_replaces_an_old_one_only_when_asked()
    {
        var target = Path.Combine(_directory, "summary.md");
        await File.WriteAllTextAsync(target, "old");
        await StagedOutput.WriteFileAsync(target, overwrite: true, async stream =>
        {
            await stream.WriteAsync("new"u8.ToArray());
            return 0;
        }, CancellationToken.None);
        (await File.ReadAllTextAsync(target)).Should().Be("new");
        var again = () => StagedOutput.WriteFileAsync(target, overwrite: false, _ => Task.FromResult(0), CancellationToken.None);
        await again.Should().ThrowAsync<IOException>();
        Directory.EnumerateFileSystemEntries(_directory).Should().ContainSingle();
    }
}
