using FactoryPulse.Dump.Storage;

namespace FactoryPulse.Dump.Archive;

/// <summary>
/// Archives, scripts and summaries are written under a hidden ".name.incomplete-…" next to their final name and
/// renamed at the end, so a crash or failure never leaves a complete-looking one; on failure the partial output is
/// deleted (best effort: the hidden name already says it is not an archive).
/// </summary>
internal static class StagedOutput
{
    /// <summary>Creates an owner-only directory under a temporary name, lets <paramref name="write"/> fill it, then renames it to <paramref name="finalPath"/>.</summary>
    public static async Task<T> WriteDirectoryAsync<T>(string finalPath, Func<string, Task<T>> write)
    {
        if (ArchiveLocation.IsStore(finalPath))
            return await WriteStorePrefixAsync(finalPath, write).ConfigureAwait(false);
        var tempPath = TemporaryPath(finalPath);
        try
        {
            OwnerOnlyFiles.CreateDirectory(tempPath);
            var result = await write(tempPath).ConfigureAwait(false);
            Directory.Move(tempPath, finalPath);
            return result;
        }
        catch
        {
            TryDelete(tempPath);
            throw;
        }
    }

    /// <summary>
    /// Creates an owner-only file under a temporary name, lets <paramref name="write"/> fill it, flushes it to disk,
    /// then renames it to <paramref name="finalPath"/> (replacing an existing file only with <paramref name="overwrite"/>).
    /// </summary>
    public static async Task<T> WriteFileAsync<T>(string finalPath, bool overwrite, Func<FileStream, Task<T>> write, CancellationToken cancellationToken)
    {
        var tempPath = TemporaryPath(finalPath);
        try
        {
            T result;
            var file = OwnerOnlyFiles.CreateNew(tempPath);
            await using (file.ConfigureAwait(false))
            {
                result = await write(file).ConfigureAwait(false);
                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }
            File.Move(tempPath, finalPath, overwrite);
            return result;
        }
        catch
        {
            TryDelete(tempPath);
            throw;
        }
    }

    /// <summary>
    /// A store has no rename: the archive is written in place and its manifest, written last by the caller, is what
    /// makes it complete. On failure everything under the prefix is deleted (best effort); a killed process leaves
    /// objects without a manifest, which the reader refuses, and uncommitted multipart uploads that never appear.
    /// </summary>
    private static async Task<T> WriteStorePrefixAsync<T>(string location, Func<string, Task<T>> write)
    {
        try
        {
            return await write(location).ConfigureAwait(false);
        }
        catch
        {
            await ArchiveLocation.TryDeleteArchiveAsync(location).ConfigureAwait(false);
            throw;
        }
    }

    private static string TemporaryPath(string finalPath)
    {
        var trimmed = Path.TrimEndingDirectorySeparator(finalPath);
        var parent = Path.GetDirectoryName(trimmed) ?? throw new OutputPathException($"'{finalPath}' has no parent directory.");
        return Path.Combine(parent, $".{Path.GetFileName(trimmed)}.incomplete-{Guid.NewGuid():N}");
    }

    private static void TryDelete(string path)
    {
        try
        {
            if (Directory.Exists(path))
                Directory.Delete(path, recursive: true);
            else if (File.Exists(path))
                File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the original failure is the one to report.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
