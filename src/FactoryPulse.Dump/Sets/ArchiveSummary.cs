using System.Globalization;
using System.Text;
using System.Text.Json;
using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Model;
using FactoryPulse.Dump.Restore;

namespace FactoryPulse.Dump.Sets;

/// <summary>What an archive holds, counted from its own manifest (never written by hand).</summary>
internal sealed class ArchiveSummary
{
    public DateTimeOffset CreatedAt { get; set; }
    public string Database { get; set; } = "";
    public string ServerVersion { get; set; } = "";
    public string Kind { get; set; } = "";
    public List<SummaryFile> Files { get; set; } = [];
    public List<SchemaCounts> Schemas { get; set; } = [];
    public List<TableRows> Tables { get; set; } = [];
    /// <summary>Null when the archive cannot tell (written before entries carried facts): never an empty list that claims "none".</summary>
    public List<string>? ForeignKeyCycles { get; set; } = [];
    /// <summary>"schema.name" of every SECURITY DEFINER function and procedure (from the entries' facts); null when the archive cannot tell.</summary>
    public List<string>? SecurityDefinerFunctions { get; set; } = [];
    /// <summary>Bucket names from the archive's rows of storage.buckets; null when it holds none (see <see cref="StorageBucketNames"/>).</summary>
    public List<string>? StorageBuckets { get; set; }
    public List<string> Warnings { get; set; } = [];
    public long TotalRows { get; set; }
    /// <summary>Read by the pruning of older sets: only verified sets are ever deleted.</summary>
    public bool Verified { get; set; }
    public VerificationLevel VerificationLevel { get; set; }
    /// <summary>The level in words, with why no restore was done when none was.</summary>
    public string Verification { get; set; } = "";

    internal sealed class SummaryFile
    {
        public string Name { get; set; } = "";
        public long Bytes { get; set; }
    }

    internal sealed class SchemaCounts
    {
        public string Schema { get; set; } = "";
        public int Tables { get; set; }
        public int Policies { get; set; }
        public int Functions { get; set; }
        /// <summary>Null when unknown (an archive written before entries carried facts).</summary>
        public int? SecurityDefinerFunctions { get; set; } = 0;
        public int Triggers { get; set; }
        public int Indexes { get; set; }
        public int Views { get; set; }
        public Dictionary<string, int> PoliciesPerTable { get; set; } = [];
    }

    internal sealed class TableRows
    {
        public string Table { get; set; } = "";
        public long Rows { get; set; }
        public long Bytes { get; set; }
    }

    /// <summary>
    /// The summary as indented camelCase JSON, nulls left out: what the reflection serializer wrote with the manifest's
    /// options. Written by hand because the Native AOT fpdump has no reflection, and a second generated JSON context
    /// here makes the architecture test see Archive depend on Sets (ArchUnitNET resolves the two contexts' same-named
    /// generic helpers to one).
    /// </summary>
    public string ToJson()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("createdAt", CreatedAt);
            json.WriteString("database", Database);
            json.WriteString("serverVersion", ServerVersion);
            json.WriteString("kind", Kind);
            json.WriteStartArray("files");
            foreach (var file in Files)
            {
                json.WriteStartObject();
                json.WriteString("name", file.Name);
                json.WriteNumber("bytes", file.Bytes);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("schemas");
            foreach (var schema in Schemas)
            {
                json.WriteStartObject();
                json.WriteString("schema", schema.Schema);
                json.WriteNumber("tables", schema.Tables);
                json.WriteNumber("policies", schema.Policies);
                json.WriteNumber("functions", schema.Functions);
                if (schema.SecurityDefinerFunctions is { } securityDefiners)
                    json.WriteNumber("securityDefinerFunctions", securityDefiners);
                json.WriteNumber("triggers", schema.Triggers);
                json.WriteNumber("indexes", schema.Indexes);
                json.WriteNumber("views", schema.Views);
                json.WriteStartObject("policiesPerTable");
                foreach (var (table, policies) in schema.PoliciesPerTable)
                    json.WriteNumber(table, policies);
                json.WriteEndObject();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("tables");
            foreach (var table in Tables)
            {
                json.WriteStartObject();
                json.WriteString("table", table.Table);
                json.WriteNumber("rows", table.Rows);
                json.WriteNumber("bytes", table.Bytes);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            WriteStrings(json, "foreignKeyCycles", ForeignKeyCycles);
            WriteStrings(json, "securityDefinerFunctions", SecurityDefinerFunctions);
            WriteStrings(json, "storageBuckets", StorageBuckets);
            WriteStrings(json, "warnings", Warnings);
            json.WriteNumber("totalRows", TotalRows);
            json.WriteBoolean("verified", Verified);
            json.WriteString("verificationLevel", VerificationLevel.ToString());
            json.WriteString("verification", Verification);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, List<string>? values)
    {
        if (values is null)
            return;
        json.WriteStartArray(name);
        foreach (var value in values)
            json.WriteStringValue(value);
        json.WriteEndArray();
    }

    public static ArchiveSummary Build(string archivePath, ArchiveManifest manifest)
    {
        var summary = new ArchiveSummary
        {
            CreatedAt = manifest.CreatedAt,
            Database = manifest.Database,
            ServerVersion = manifest.ServerVersion,
            Kind = manifest.Options.SchemaOnly ? "schema" : manifest.Options.DataOnly ? "data" : "complete",
        };
        // A store archive's files are listed by AddStoreFilesAsync (a listing is a request, not a directory walk).
        if (!ArchiveLocation.IsStore(archivePath))
            summary.AddFiles(archivePath);

        var schemas = new SortedDictionary<string, SchemaCounts>(StringComparer.Ordinal);
        SchemaCounts For(string? schema)
        {
            schema ??= "-";
            if (!schemas.TryGetValue(schema, out var counts))
                schemas[schema] = counts = new SchemaCounts { Schema = schema };
            return counts;
        }
        var keys = new List<ForeignKey>();
        var tablesWithData = new HashSet<string>(StringComparer.Ordinal);
        // Archives written before entries carried facts: what needs them is left uncounted, and the summary says so.
        var factsMissing = false;
        var functionFactsMissing = new HashSet<SchemaCounts>();
        var keyFactsMissing = false;
        foreach (var entry in manifest.Entries)
        {
            switch (entry.Kind)
            {
                case ObjectKind.Table:
                    For(entry.Schema).Tables++;
                    break;
                case ObjectKind.View:
                case ObjectKind.MaterializedView:
                    For(entry.Schema).Views++;
                    break;
                case ObjectKind.Policy:
                    var counts = For(entry.Schema);
                    counts.Policies++;
                    var table = entry.Table ?? "?";
                    counts.PoliciesPerTable[table] = counts.PoliciesPerTable.GetValueOrDefault(table) + 1;
                    break;
                case ObjectKind.Function:
                case ObjectKind.Procedure:
                    var functions = For(entry.Schema);
                    functions.Functions++;
                    if (entry.Facts?.SecurityDefiner is not { } securityDefiner)
                    {
                        factsMissing = true;
                        functionFactsMissing.Add(functions);
                    }
                    else if (securityDefiner)
                    {
                        functions.SecurityDefinerFunctions++;
                        summary.SecurityDefinerFunctions!.Add(entry.QualifiedName);
                    }
                    break;
                case ObjectKind.Trigger:
                    For(entry.Schema).Triggers++;
                    break;
                case ObjectKind.Index:
                    For(entry.Schema).Indexes++;
                    break;
                case ObjectKind.ForeignKeyConstraint when entry.Table is not null:
                    if (entry.Facts?.ReferencedTable is { } referenced)
                        keys.Add(new ForeignKey(entry.Name, entry.Table, referenced, false, false));
                    else
                        factsMissing = keyFactsMissing = true;
                    break;
                case ObjectKind.TableData:
                    var name = entry.QualifiedName;
                    tablesWithData.Add(name);
                    summary.Tables.Add(new TableRows { Table = name, Rows = entry.Data!.Rows, Bytes = entry.Data.Bytes });
                    summary.TotalRows += entry.Data.Rows;
                    break;
            }
        }
        foreach (var counts in functionFactsMissing)
            counts.SecurityDefinerFunctions = null;
        if (functionFactsMissing.Count > 0)
            summary.SecurityDefinerFunctions = null;
        else
            summary.SecurityDefinerFunctions!.Sort(StringComparer.Ordinal);
        summary.Schemas.AddRange(schemas.Values);
        summary.Tables.Sort((a, b) => string.CompareOrdinal(a.Table, b.Table));

        // The cycles a data-only restore meets: components of the foreign-key graph with more than one table, plus self-references.
        var allTables = new List<string>();
        foreach (var key in keys)
        {
            if (!allTables.Contains(key.Table))
                allTables.Add(key.Table);
            if (!allTables.Contains(key.ReferencedTable))
                allTables.Add(key.ReferencedTable);
        }
        var plan = ForeignKeyGraph.Build(allTables, keys);
        var cycles = new List<string>();
        foreach (var component in plan.Components)
        {
            if (component.Count > 1)
                cycles.Add($"{string.Join(" ↔ ", component)}: loaded in one transaction with the cycle's keys deferred");
        }
        foreach (var key in keys)
        {
            if (key.IsSelfReference)
                cycles.Add($"{key.Table} references itself ({key.Name}): one COPY satisfies it");
        }
        summary.ForeignKeyCycles = keyFactsMissing ? null : cycles;
        if (summary.Kind == "complete" && summary.Tables.Count == 0 && summary.Schemas.Exists(schema => schema.Tables > 0))
            summary.Warnings.Add("This complete archive holds no table data.");
        if (factsMissing)
            summary.Warnings.Add("Written by a version that recorded no facts per entry: SECURITY DEFINER functions and foreign-key cycles are unknown (not counted).");
        if (manifest.Options.Profile is { } profile)
            summary.Warnings.Add($"Dumped with the {profile} profile: platform-managed schemas are expected on the target.");
        foreach (var entry in manifest.Entries)
        {
            if (entry.Data?.Redacted is { } redacted)
                summary.Warnings.Add($"{entry.Schema}.{entry.Name}: redacted columns {string.Join(", ", redacted.Keys)}.");
        }
        return summary;
    }

    /// <summary>Lists an archive's files, named from the folder that holds the archive.</summary>
    public void AddFiles(string archivePath)
    {
        var root = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(archivePath)))!;
        foreach (var file in Directory.EnumerateFiles(archivePath, "*", SearchOption.AllDirectories))
            Files.Add(new SummaryFile { Name = Path.GetRelativePath(root, file), Bytes = new FileInfo(file).Length });
        Files.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
    }

    /// <summary>Lists a store archive's objects, named from the prefix that holds the archive (as <see cref="AddFiles"/> does for a folder).</summary>
    public async Task AddStoreFilesAsync(string location, CancellationToken cancellationToken)
    {
        var (store, prefix) = ArchiveLocation.Resolve(location);
        var archiveName = prefix[(prefix.LastIndexOf('/') + 1)..];
        foreach (var (name, bytes) in await ArchiveLocation.ListArchiveAsync(store, prefix, cancellationToken).ConfigureAwait(false))
            Files.Add(new SummaryFile { Name = archiveName + "/" + name, Bytes = bytes });
        Files.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
    }

    public string ToMarkdown(IReadOnlyList<(string Kind, string Path)> archives)
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.Append("# Backup summary: ").Append(Database).Append("\n\n");
        text.Append("- Taken: ").Append(CreatedAt.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", inv)).Append('\n');
        text.Append("- Server: PostgreSQL ").Append(ServerVersion).Append('\n');
        text.Append("- Rows: ").Append(TotalRows.ToString("N0", inv)).Append(" in ").Append(Tables.Count).Append(" tables\n");
        text.Append("- Verified: ").Append(!Verified ? "NO (see the warnings)"
            : VerificationLevel == VerificationLevel.Restored ? "yes, restored"
            : "checksums only (structure, sizes, checksums, row counts of the files), not restored").Append('\n');
        if (Verification.Length > 0)
            text.Append("- Verification: ").Append(Verification).Append('\n');
        text.Append('\n');
        text.Append("## Files\n\n| file | bytes |\n|---|---:|\n");
        foreach (var file in Files)
            text.Append("| ").Append(file.Name).Append(" | ").Append(file.Bytes.ToString("N0", inv)).Append(" |\n");
        text.Append("\n## Objects per schema\n\n| schema | tables | views | policies | functions (SECURITY DEFINER) | triggers | indexes |\n|---|---:|---:|---:|---:|---:|---:|\n");
        foreach (var schema in Schemas)
        {
            text.Append("| ").Append(schema.Schema).Append(" | ").Append(schema.Tables).Append(" | ").Append(schema.Views).Append(" | ").Append(schema.Policies)
                .Append(" | ").Append(schema.Functions).Append(" (").Append(schema.SecurityDefinerFunctions is { } definers ? definers.ToString(inv) : "unknown").Append(") | ").Append(schema.Triggers)
                .Append(" | ").Append(schema.Indexes).Append(" |\n");
        }
        text.Append("\n## Policies per table\n\n| table | policies |\n|---|---:|\n");
        foreach (var schema in Schemas)
        {
            foreach (var (table, count) in schema.PoliciesPerTable.OrderBy(pair => pair.Key, StringComparer.Ordinal))
                text.Append("| ").Append(table).Append(" | ").Append(count).Append(" |\n");
        }
        text.Append("\n## SECURITY DEFINER functions\n\n");
        if (SecurityDefinerFunctions is null)
            text.Append("Unknown: the archive was written before entries carried facts.\n");
        else if (SecurityDefinerFunctions.Count == 0)
            text.Append("None.\n");
        foreach (var function in SecurityDefinerFunctions ?? [])
            text.Append("- ").Append(function).Append('\n');
        text.Append("\n## Storage buckets\n\n");
        if (StorageBuckets is null)
            text.Append("None in this archive (it holds no rows of storage.buckets).\n");
        else if (StorageBuckets.Count == 0)
            text.Append("None (storage.buckets is empty).\n");
        foreach (var bucket in StorageBuckets ?? [])
            text.Append("- ").Append(bucket).Append('\n');
        text.Append("\n## Rows per table\n\n| table | rows | bytes |\n|---|---:|---:|\n");
        foreach (var table in Tables)
            text.Append("| ").Append(table.Table).Append(" | ").Append(table.Rows.ToString("N0", inv)).Append(" | ").Append(table.Bytes.ToString("N0", inv)).Append(" |\n");
        text.Append("\n## Foreign-key cycles\n\n");
        if (ForeignKeyCycles is null)
            text.Append("Unknown: the archive was written before entries carried facts.\n");
        else if (ForeignKeyCycles.Count == 0)
            text.Append("None.\n");
        foreach (var cycle in ForeignKeyCycles ?? [])
            text.Append("- ").Append(cycle).Append('\n');
        text.Append("\n## Warnings\n\n");
        if (Warnings.Count == 0)
            text.Append("None.\n");
        foreach (var warning in Warnings)
            text.Append("- ").Append(warning).Append('\n');
        text.Append("\n## Restore\n\n```bash\n");
        foreach (var (kind, path) in archives)
        {
            var flags = kind switch
            {
                "schema" => " --schema-only",
                "data" => " --data-only",
                _ => "",
            };
            text.Append("# ").Append(kind).Append(kind == "data" ? ": rows into an existing schema (cycles and triggers handled)" : kind == "schema" ? ": definitions into an empty database" : ": everything into an empty database").Append('\n');
            text.Append("fpdump restore --connection \"$TARGET\" --input '").Append(path.Replace("'", "'\\''", StringComparison.Ordinal)).Append('\'').Append(flags).Append("\n");
        }
        text.Append("```\n");
        return text.ToString();
    }
}
