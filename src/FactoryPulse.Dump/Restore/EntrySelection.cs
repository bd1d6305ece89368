using System.Text.RegularExpressions;
using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Model;
using FactoryPulse.Dump.Sql;

namespace FactoryPulse.Dump.Restore;

/// <summary>
/// pg_restore's --schema, --exclude-schema and --table, applied to an archive's entries with psql pattern rules (the
/// same parser as the dump's filters). A selected relation brings what hangs off it: its data or sequence value,
/// indexes, constraints, triggers, policies, rules, privileges, and the sequences it owns.
/// </summary>
internal sealed class EntrySelection
{
    private static bool IsRelationData(ObjectKind kind) => kind is ObjectKind.TableData or ObjectKind.SequenceSet or ObjectKind.MaterializedViewData;

    private readonly List<Regex> _schemas;
    private readonly List<Regex> _excludedSchemas;
    private readonly HashSet<string>? _relations;

    private EntrySelection(List<Regex> schemas, List<Regex> excludedSchemas, HashSet<string>? relations)
    {
        _schemas = schemas;
        _excludedSchemas = excludedSchemas;
        _relations = relations;
    }

    /// <summary>Null when the options select nothing by name (everything passes).</summary>
    public static EntrySelection? Create(RestoreOptions options, IReadOnlyList<TocEntry> entries)
    {
        if (options.Schemas.Count == 0 && options.ExcludeSchemas.Count == 0 && options.Tables.Count == 0)
            return null;
        var schemas = new List<Regex>(options.Schemas.Count);
        foreach (var pattern in options.Schemas)
            schemas.Add(NamePattern.ParseSchemaPattern(pattern));
        var excluded = new List<Regex>(options.ExcludeSchemas.Count);
        foreach (var pattern in options.ExcludeSchemas)
            excluded.Add(NamePattern.ParseSchemaPattern(pattern));
        HashSet<string>? relations = null;
        if (options.Tables.Count > 0)
        {
            var patterns = new List<(Regex? Schema, Regex Name)>(options.Tables.Count);
            foreach (var pattern in options.Tables)
                patterns.Add(NamePattern.ParseRelationPattern(pattern));
            relations = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in entries)
            {
                if (entry.Kind.IsRelation() && entry.Schema is { } schema && NamePattern.Matches(patterns, schema, entry.Name))
                    relations.Add(Key(entry));
            }
            // Sequences owned by a selected table come along (their entries name the table as theirs), as with pg_dump -t.
            foreach (var entry in entries)
            {
                if (entry.Kind == ObjectKind.Sequence && entry.Table is { } owner && relations.Contains(owner))
                    relations.Add(Key(entry));
            }
        }
        return new EntrySelection(schemas, excluded, relations);
    }

    public bool Includes(TocEntry entry)
    {
        var schema = entry.Kind == ObjectKind.Schema ? entry.Name : entry.Schema;
        if (_schemas.Count > 0 && (schema is null || !_schemas.Exists(regex => regex.IsMatch(schema))))
            return false;
        if (schema is not null && _excludedSchemas.Exists(regex => regex.IsMatch(schema)))
            return false;
        if (_relations is null)
            return true;
        if ((entry.Kind.IsRelation() || IsRelationData(entry.Kind)) && entry.Schema is not null && _relations.Contains(Key(entry)))
            return true;
        return entry.Table is { } table && _relations.Contains(table);
    }

    /// <summary>The same "schema.name" form the archive's <see cref="TocEntry.Table"/> uses.</summary>
    private static string Key(TocEntry entry) => $"{entry.Schema}.{entry.Name}";
}
