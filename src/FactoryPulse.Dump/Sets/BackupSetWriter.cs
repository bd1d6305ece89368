using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Data;
using FactoryPulse.Dump.Sql;
using Npgsql;

namespace FactoryPulse.Dump.Sets;

internal static partial class BackupSetWriter
{
    private const string LockFileName = ".fpdump-backup.lock";

    [GeneratedRegex(@"^(?<prefix>.+)_complete_backup_(?<stamp>\d{8}_\d{6})$", RegexOptions.CultureInvariant)]
    private static partial Regex CompleteSetPattern();

    public static async Task<BackupSetResult> RunAsync(BackupSetOptions options, NpgsqlDataSource? dataSource, IProgress<DumpProgress>? progress, CancellationToken cancellationToken)
    {
        if (options.Plain && !string.IsNullOrEmpty(options.Dump?.EncryptionPassphrase))
            throw new DumpException("Plain .sql files cannot be encrypted; leave out Plain (--plain) when encrypting a set.");
        if (options.Keep < 1)
            throw new DumpException("Keep (--keep) must be at least 1: the newest good set is never deleted.");
        var directory = Path.GetFullPath(options.Directory);
        OwnerOnlyFiles.CreateDirectory(directory);
        using var gate = AcquireLock(directory);

        var prefix = options.Prefix;
        if (string.IsNullOrEmpty(prefix))
            prefix = ConnectionSource.Create(options.ConnectionString, dataSource).Database ?? "backup";
        if (prefix.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || prefix.Contains("..", StringComparison.Ordinal))
            throw new DumpException($"The prefix '{prefix}' cannot be part of a file name.");

        var now = DateTime.UtcNow;
        var stamp = now.ToString("yyyyMMdd_HHmmss", CultureInfo.InvariantCulture);
        var complete = Path.Combine(directory, $"{prefix}_complete_backup_{stamp}");
        var schema = Path.Combine(directory, $"{prefix}_schema_backup_{stamp}");
        var data = Path.Combine(directory, $"{prefix}_data_backup_{stamp}");
        var summaryPath = Path.Combine(directory, $"backup-summary-{now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.md");

        var dump = (options.Dump ?? new DumpOptions { ConnectionString = options.ConnectionString, OutputPath = complete }) with
        {
            ConnectionString = options.ConnectionString,
            OutputPath = complete,
            SchemaOnly = false,
            DataOnly = false,
            Format = ArchiveFormat.Directory,
            Logger = options.Logger,
        };
        var dumped = await DumpAsync(dump, dataSource, progress, cancellationToken).ConfigureAwait(false);
        var manifest = await ArchiveReader.ReadManifestAsync(complete, dump.EncryptionPassphrase, cancellationToken).ConfigureAwait(false);
        // The derived archives share the complete one's key (their data files are copies), so their manifests are sealed with it.
        var key = manifest.Encryption?.KeyFrom(dump.EncryptionPassphrase);
        // One snapshot for the whole set: the schema and data archives are cut from the complete one.
        await DeriveAsync(complete, manifest, schema, keepData: false, key, cancellationToken).ConfigureAwait(false);
        await DeriveAsync(complete, manifest, data, keepData: true, key, cancellationToken).ConfigureAwait(false);

        var problems = new List<string>();
        int files = 0;
        long rows = 0;
        foreach (var archive in new[] { complete, schema, data })
        {
            // Errors worded as ArchiveVerifier.VerifyAsync words them, without calling the public entry point above this folder.
            var report = await ErrorTranslation.RunAsync(Operation.Verify,
                ArchiveVerification.RunAsync(archive, new VerifyOptions { EncryptionPassphrase = dump.EncryptionPassphrase }, cancellationToken), cancellationToken).ConfigureAwait(false);
            foreach (var problem in report.Problems)
                problems.Add($"{Path.GetFileName(archive)}: {problem}");
            files += report.FilesChecked;
            rows += report.RowsCounted;
        }
        // Whole files first; only a set whose files are whole is worth restoring.
        var level = problems.Count == 0
            ? await SetRestoreCheck.RunAsync(options, manifest, (complete, schema, data), dump.EncryptionPassphrase, problems, cancellationToken).ConfigureAwait(false)
            : new SetRestoreCheck.Outcome(VerificationLevel.Checksums, "NOT verified: the archives' files failed their check (see the warnings), so no restore was tried");
        var verification = new VerificationReport
        {
            Passed = problems.Count == 0,
            Problems = problems,
            FilesChecked = files,
            RowsCounted = rows,
            Level = level.Level,
            LevelDescription = level.Description,
        };

        var plainFiles = new List<string>();
        if (options.Plain)
        {
            foreach (var (kind, schemaOnly, dataOnly) in new[] { ("complete", false, false), ("schema", true, false), ("data", false, true) })
            {
                var file = Path.Combine(directory, $"{prefix}_{kind}_backup_{stamp}.sql");
                await DumpAsync(dump with { OutputPath = file, Format = ArchiveFormat.Plain, SchemaOnly = schemaOnly, DataOnly = dataOnly, Jobs = 1, EncryptionPassphrase = null },
                    dataSource, null, cancellationToken).ConfigureAwait(false);
                plainFiles.Add(file);
            }
        }

        var summary = ArchiveSummary.Build(complete, manifest);
        summary.Files.Clear();
        foreach (var archive in new[] { schema, data, complete })
            summary.AddFiles(archive);
        foreach (var file in plainFiles)
            summary.Files.Add(new ArchiveSummary.SummaryFile { Name = Path.GetFileName(file), Bytes = new FileInfo(file).Length });
        summary.StorageBuckets = await StorageBucketNames.ReadAsync(complete, manifest, key, cancellationToken).ConfigureAwait(false);
        summary.Verified = verification.Passed;
        summary.VerificationLevel = verification.Level;
        summary.Verification = verification.LevelDescription;
        // What the dump itself warned about (e.g. subscriptions it could not read) belongs beside the summary's own warnings.
        summary.Warnings.AddRange(dumped.Warnings);
        summary.Warnings.AddRange(problems);
        await WriteTextAsync(summaryPath, summary.ToMarkdown([("complete", complete), ("schema", schema), ("data", data)]), cancellationToken).ConfigureAwait(false);
        await WriteTextAsync(Path.ChangeExtension(summaryPath, ".json"), summary.ToJson(), cancellationToken).ConfigureAwait(false);
        if (!verification.Passed)
            throw new ArchiveException($"The new backup set failed verification ({string.Join("; ", problems)}); it is kept, marked unverified in {Path.GetFileName(summaryPath)}, and no older set was deleted.");

        var deleted = Prune(directory, prefix, options.Keep);
        return new BackupSetResult { CompleteArchive = complete, SchemaArchive = schema, DataArchive = data, SummaryPath = summaryPath, PlainFiles = plainFiles, DeletedSets = deleted, Verification = verification };
    }

    /// <summary>
    /// Each archive of the set is one dump, validated and worded as <see cref="DatabaseDumper.DumpAsync(DumpOptions, IProgress{DumpProgress}?, CancellationToken)"/>
    /// does, on the caller's data source when there is one — without calling the public entry point above this folder.
    /// </summary>
    private static Task<DumpResult> DumpAsync(DumpOptions options, NpgsqlDataSource? dataSource, IProgress<DumpProgress>? progress, CancellationToken cancellationToken)
    {
        options.Validate();
        return ErrorTranslation.RunAsync(Operation.Dump, Dumping.DumpRunner.RunAsync(options, dataSource, progress, cancellationToken), cancellationToken);
    }

    /// <summary>A lock file created exclusively; a stale one (its process is gone) is taken over.</summary>
    private static FileStream AcquireLock(string directory)
    {
        var path = Path.Combine(directory, LockFileName);
        for (var attempt = 0; attempt < 2; attempt++)
        {
            try
            {
                var lockOptions = new FileStreamOptions
                {
                    Mode = FileMode.CreateNew,
                    Access = FileAccess.Write,
                    Share = FileShare.Read,
                    Options = FileOptions.DeleteOnClose,
                };
                if (!OperatingSystem.IsWindows())
                    lockOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                var stream = new FileStream(path, lockOptions);
                var pid = Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
                stream.Write(pid);
                stream.Flush(flushToDisk: true);
                return stream;
            }
            catch (IOException) when (File.Exists(path))
            {
                var text = File.ReadAllText(path).Trim();
                if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && IsAlive(pid))
                    throw new DumpException($"Another backup (process {pid}) is writing to {directory}; wait for it to finish.");
                File.Delete(path); // left by a process that died
            }
        }
        throw new DumpException($"Could not take the backup lock {path}.");
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Writes a schema-only or data-only archive from the complete one (manifest cut, data files copied).</summary>
    private static readonly System.Text.Json.Serialization.Metadata.JsonTypeInfo<ArchiveManifest> ManifestJson = ArchiveManifest.JsonType(ArchiveManifest.JsonOptions);

    private static async Task DeriveAsync(string complete, ArchiveManifest manifest, string target, bool keepData, byte[]? key, CancellationToken cancellationToken)
    {
        await StagedOutput.WriteDirectoryAsync(target, async temp =>
        {
            var derived = JsonSerializer.Deserialize(JsonSerializer.Serialize(manifest, ManifestJson), ManifestJson)!;
            derived.Entries.RemoveAll(entry => entry.IsData != keepData);
            derived.Options.SchemaOnly = !keepData;
            derived.Options.DataOnly = keepData;
            var ids = new HashSet<int>();
            foreach (var entry in derived.Entries)
                ids.Add(entry.DumpId);
            foreach (var entry in derived.Entries)
                entry.Dependencies.RemoveAll(id => !ids.Contains(id));
            if (keepData)
            {
                OwnerOnlyFiles.CreateDirectory(Path.Combine(temp, "data"));
                foreach (var entry in derived.Entries)
                {
                    if (entry.Data is null)
                        continue;
                    foreach (var part in entry.Data.Parts())
                        await CopyFileAsync(Path.Combine(complete, part.File), Path.Combine(temp, part.File), cancellationToken).ConfigureAwait(false);
                }
            }
            await ArchiveManifestWriter.WriteAsync(temp, derived, key, cancellationToken).ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);
    }

    private static async Task CopyFileAsync(string source, string target, CancellationToken cancellationToken)
    {
        var input = OwnerOnlyFiles.OpenRead(source);
        await using var inputScope = input.ConfigureAwait(false);
        var output = OwnerOnlyFiles.CreateNew(target);
        await using var outputScope = output.ConfigureAwait(false);
        await input.CopyToAsync(output, 1 << 20, cancellationToken).ConfigureAwait(false);
        output.Flush(flushToDisk: true);
    }

    private static Task WriteTextAsync(string path, string text, CancellationToken cancellationToken) =>
        StagedOutput.WriteFileAsync(path, overwrite: true, async file =>
        {
            await file.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <summary>
    /// Keeps the newest <paramref name="keep"/> good sets: all three archives present and the summary saying they were
    /// verified. Incomplete or unverified sets are never touched; the newest good set is never deleted.
    /// </summary>
    private static List<string> Prune(string directory, string prefix, int keep)
    {
        var good = new List<(string Stamp, string[] Paths)>();
        foreach (var path in Directory.EnumerateDirectories(directory))
        {
            var match = CompleteSetPattern().Match(Path.GetFileName(path));
            if (!match.Success || match.Groups["prefix"].Value != prefix)
                continue;
            var stamp = match.Groups["stamp"].Value;
            var schema = Path.Combine(directory, $"{prefix}_schema_backup_{stamp}");
            var data = Path.Combine(directory, $"{prefix}_data_backup_{stamp}");
            var summary = Path.Combine(directory, $"backup-summary-{stamp.Replace('_', '-')}.json");
            if (!Directory.Exists(schema) || !Directory.Exists(data) || !File.Exists(summary) || !IsVerified(summary)
                || !File.Exists(Path.Combine(path, ArchiveManifest.FileName)))
                continue;
            var paths = new List<string> { path, schema, data, summary, Path.ChangeExtension(summary, ".md") };
            foreach (var kind in new[] { "complete", "schema", "data" })
                paths.Add(Path.Combine(directory, $"{prefix}_{kind}_backup_{stamp}.sql"));
            good.Add((stamp, paths.ToArray()));
        }
        good.Sort((a, b) => string.CompareOrdinal(b.Stamp, a.Stamp));
        var deleted = new List<string>();
        for (var i = keep; i < good.Count; i++)
        {
            foreach (var path in good[i].Paths)
            {
                if (Directory.Exists(path))
                    Directory.Delete(path, recursive: true);
                else if (File.Exists(path))
                    File.Delete(path);
                else
                    continue;
                deleted.Add(path);
            }
        }
        return deleted;
    }

    private static bool IsVerified(string summaryJson)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(summaryJson));
            return document.RootElement.TryGetProperty("verified", out var verified) && verified.ValueKind == JsonValueKind.True;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
