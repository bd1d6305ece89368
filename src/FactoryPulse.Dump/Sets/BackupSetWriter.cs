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
    [GeneratedRegex(@"^(?<prefix>.+)_complete_backup_(?<stamp>\d{8}_\d{6})$", RegexOptions.CultureInvariant)]
    private static partial Regex CompleteSetPattern();

    public static async Task<BackupSetResult> RunAsync(BackupSetOptions options, NpgsqlDataSource? dataSource, IProgress<DumpProgress>? progress, CancellationToken cancellationToken)
    {
        if (options.Plain && !string.IsNullOrEmpty(options.Dump?.EncryptionPassphrase))
            throw new DumpException("Plain .sql files cannot be encrypted; leave out Plain (--plain) when encrypting a set.");
        if (options.Keep < 1)
            throw new DumpException("Keep (--keep) must be at least 1: the newest good set is never deleted.");
        // A store prefix is the folder's equivalent: same names, the lock an object, the summary's .json the commit point.
        var toStore = ArchiveLocation.IsStore(options.Directory);
        if (toStore && options.Plain)
            throw new DumpException("Plain .sql files are written to local folders only; leave out Plain (--plain) for a set in an object store.");
        var directory = toStore ? options.Directory.TrimEnd('/') : Path.GetFullPath(options.Directory);
        if (!toStore)
            OwnerOnlyFiles.CreateDirectory(directory);
        var gate = await BackupSetLock.AcquireAsync(directory, cancellationToken).ConfigureAwait(false);
        await using var gateScope = gate.ConfigureAwait(false);

        var prefix = options.Prefix;
        if (string.IsNullOrEmpty(prefix))
            prefix = ConnectionSource.Create(options.ConnectionString, dataSource).Database ?? "backup";
        if (prefix.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || prefix.Contains("..", StringComparison.Ordinal))
            throw new DumpException($"The prefix '{prefix}' cannot be part of a file name.");

        var now = DateTime.UtcNow;
        var stamp = now.ToString("yyyyMMdd_HHmmss", CultureInfo.InvariantCulture);
        var complete = Join(directory, $"{prefix}_complete_backup_{stamp}");
        var schema = Join(directory, $"{prefix}_schema_backup_{stamp}");
        var data = Join(directory, $"{prefix}_data_backup_{stamp}");
        var summaryPath = Join(directory, $"backup-summary-{now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.md");

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
        {
            if (toStore)
                await summary.AddStoreFilesAsync(archive, cancellationToken).ConfigureAwait(false);
            else
                summary.AddFiles(archive);
        }
        foreach (var file in plainFiles)
            summary.Files.Add(new ArchiveSummary.SummaryFile { Name = Path.GetFileName(file), Bytes = new FileInfo(file).Length });
        summary.StorageBuckets = await StorageBucketNames.ReadAsync(complete, manifest, key, cancellationToken).ConfigureAwait(false);
        summary.Verified = verification.Passed;
        summary.VerificationLevel = verification.Level;
        summary.Verification = verification.LevelDescription;
        // What the dump itself warned about (e.g. subscriptions it could not read) belongs beside the summary's own warnings.
        summary.Warnings.AddRange(dumped.Warnings);
        summary.Warnings.AddRange(problems);
        // The .json is the set's commit point (Prune counts a set only with it): written last, and only while this run holds the lock.
        await gate.EnsureHeldAsync(cancellationToken).ConfigureAwait(false);
        await WriteTextAsync(summaryPath, summary.ToMarkdown([("complete", complete), ("schema", schema), ("data", data)]), cancellationToken).ConfigureAwait(false);
        await WriteTextAsync(Path.ChangeExtension(summaryPath, ".json"), summary.ToJson(), cancellationToken).ConfigureAwait(false);
        if (!verification.Passed)
            throw new ArchiveException($"The new backup set failed verification ({string.Join("; ", problems)}); it is kept, marked unverified in {Path.GetFileName(summaryPath)}, and no older set was deleted.");

        await gate.EnsureHeldAsync(cancellationToken).ConfigureAwait(false);
        var deleted = toStore
            ? await PruneStoreAsync(directory, prefix, options.Keep, cancellationToken).ConfigureAwait(false)
            : Prune(directory, prefix, options.Keep);
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

    /// <summary>A name in the sets' folder or store prefix.</summary>
    private static string Join(string directory, string name) =>
        ArchiveLocation.IsStore(directory) ? directory + "/" + name : Path.Combine(directory, name);

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
                if (!ArchiveLocation.IsStore(temp))
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
        if (ArchiveLocation.IsStore(target))
        {
            await CopyToStoreAsync(source, target, cancellationToken).ConfigureAwait(false);
            return;
        }
        var input = OwnerOnlyFiles.OpenRead(source);
        await using var inputScope = input.ConfigureAwait(false);
        var output = OwnerOnlyFiles.CreateNew(target);
        await using var outputScope = output.ConfigureAwait(false);
        await input.CopyToAsync(output, 1 << 20, cancellationToken).ConfigureAwait(false);
        output.Flush(flushToDisk: true);
    }

    /// <summary>
    /// The file's bytes as they are (no decryption, no decompression: its checksum stays the manifest's), streamed from the
    /// store into a new upload: bounded memory, nothing staged on disk.
    /// </summary>
    private static async Task CopyToStoreAsync(string source, string target, CancellationToken cancellationToken)
    {
        var input = DataFiles.OpenRead(source, DataCompression.None, key: null);
        await using var inputScope = input.ConfigureAwait(false);
        var (store, name) = ArchiveLocation.Resolve(target);
        var output = await store.CreateAsync(name, cancellationToken).ConfigureAwait(false);
        await using var outputScope = output.ConfigureAwait(false);
        await input.Content.CopyToAsync(output, DataFiles.BufferSize, cancellationToken).ConfigureAwait(false);
        await output.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteTextAsync(string path, string text, CancellationToken cancellationToken)
    {
        if (ArchiveLocation.IsStore(path))
        {
            var (store, name) = ArchiveLocation.Resolve(path);
            var upload = await store.CreateAsync(name, cancellationToken).ConfigureAwait(false);
            await using var uploadScope = upload.ConfigureAwait(false);
            await upload.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken).ConfigureAwait(false);
            await upload.CommitAsync(cancellationToken).ConfigureAwait(false);
            return;
        }
        await StagedOutput.WriteFileAsync(path, overwrite: true, async file =>
        {
            await file.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

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
            if (!Directory.Exists(schema) || !Directory.Exists(data) || !File.Exists(summary) || !IsVerified(File.ReadAllBytes(summary))
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

    /// <summary>
    /// <see cref="Prune"/> on a store prefix, from one listing: a set counts when its three archives have their manifests and
    /// its summary .json says verified. A pruned set loses its .json first (then it no longer counts, wherever a failure stops
    /// the deletion), then its .md, then each archive, manifest first. Incomplete sets (a killed run's, another run's in
    /// progress) have no .json and are never touched.
    /// </summary>
    private static async Task<List<string>> PruneStoreAsync(string directory, string prefix, int keep, CancellationToken cancellationToken)
    {
        var (store, root) = ArchiveLocation.Resolve(directory);
        var start = root.Length == 0 ? "" : root + "/";
        var archives = new HashSet<string>(StringComparer.Ordinal);
        var files = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var item in store.ListAsync(start, cancellationToken).ConfigureAwait(false))
        {
            if (!item.Name.StartsWith(start, StringComparison.Ordinal))
                continue;
            var relative = item.Name[start.Length..];
            var slash = relative.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0)
                files.Add(relative);
            else if (relative[(slash + 1)..] == ArchiveManifest.FileName)
                archives.Add(relative[..slash]);
        }
        var good = new List<(string Stamp, string[] Summaries, string[] Archives)>();
        foreach (var archive in archives)
        {
            var match = CompleteSetPattern().Match(archive);
            if (!match.Success || match.Groups["prefix"].Value != prefix)
                continue;
            var stamp = match.Groups["stamp"].Value;
            var schema = $"{prefix}_schema_backup_{stamp}";
            var data = $"{prefix}_data_backup_{stamp}";
            var summary = $"backup-summary-{stamp.Replace('_', '-')}";
            if (!archives.Contains(schema) || !archives.Contains(data) || !files.Contains(summary + ".json"))
                continue;
            var content = await store.ReadVersionAsync(start + summary + ".json", cancellationToken).ConfigureAwait(false);
            if (content is null || !IsVerified(content.Content.ToArray()))
                continue;
            good.Add((stamp, [summary + ".json", summary + ".md"], [archive, schema, data]));
        }
        good.Sort((a, b) => string.CompareOrdinal(b.Stamp, a.Stamp));
        var deleted = new List<string>();
        for (var i = keep; i < good.Count; i++)
        {
            foreach (var summary in good[i].Summaries)
            {
                if (!files.Contains(summary))
                    continue;
                await store.DeleteAsync(start + summary, cancellationToken).ConfigureAwait(false);
                deleted.Add(Join(directory, summary));
            }
            foreach (var archive in good[i].Archives)
            {
                var objects = await ArchiveLocation.ListArchiveAsync(store, start + archive, cancellationToken).ConfigureAwait(false);
                if (objects.Remove(ArchiveManifest.FileName))
                    await store.DeleteAsync(start + archive + "/" + ArchiveManifest.FileName, cancellationToken).ConfigureAwait(false);
                foreach (var name in objects.Keys)
                    await store.DeleteAsync(start + archive + "/" + name, cancellationToken).ConfigureAwait(false);
                deleted.Add(Join(directory, archive));
            }
        }
        return deleted;
    }

    private static bool IsVerified(byte[] summaryJson)
    {
        try
        {
            using var document = JsonDocument.Parse(summaryJson);
            return document.RootElement.TryGetProperty("verified", out var verified) && verified.ValueKind == JsonValueKind.True;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
