using System.Text.RegularExpressions;
using FactoryPulse.Dump.Model;
using FactoryPulse.Dump.Sql;

namespace FactoryPulse.Dump.Dumping;

/// <summary>
/// pg_dump's --schema/--exclude-schema/--table/--exclude-table/--exclude-table-data and --section, applied to the
/// catalog. Patterns follow psql: * and ? are wildcards, unquoted letters fold to lower case, "…" is literal,
/// a dot separates schema and name.
/// </summary>
internal sealed class ObjectFilter
{
    private readonly List<Regex> _includeSchemas;
    private readonly List<Regex> _excludeSchemas;
    private readonly List<(Regex? Schema, Regex Name)> _includeTables;
    private readonly List<(Regex? Schema, Regex Name)> _excludeTables;
    private readonly List<(Regex? Schema, Regex Name)> _excludeTableData;
    private readonly HashSet<Section>? _sections;

    public ObjectFilter(DumpOptions options)
    {
        _includeSchemas = options.Schemas.Select(pattern => NamePattern.ParseSchemaPattern(pattern)).ToList();
        _excludeSchemas = options.ExcludeSchemas.Select(pattern => NamePattern.ParseSchemaPattern(pattern)).ToList();
        _includeTables = options.Tables.Select(NamePattern.ParseRelationPattern).ToList();
        _excludeTables = options.ExcludeTables.Select(NamePattern.ParseRelationPattern).ToList();
        _excludeTableData = options.ExcludeTableData.Select(NamePattern.ParseRelationPattern).ToList();
        if (options.Sections.Count > 0)
        {
            _sections = [];
            foreach (var section in options.Sections)
            {
                _sections.Add(section switch
                {
                    "pre-data" => Section.PreData,
                    "data" => Section.Data,
                    "post-data" => Section.PostData,
                    _ => throw new DumpException($"Unknown section '{section}': use pre-data, data or post-data."),
                });
            }
        }
    }

    public bool IsEmpty => _includeSchemas.Count == 0 && _excludeSchemas.Count == 0 && _includeTables.Count == 0 && _excludeTables.Count == 0
        && _excludeTableData.Count == 0 && _sections is null;

    public bool IncludesSection(Section section) => _sections is null || _sections.Contains(section);

    public bool Includes(DumpableObject item) => IncludesSection(item.Section) && IncludesObject(item);

    /// <summary>The schema and table patterns alone, whatever the object's section.</summary>
    public bool IncludesObject(DumpableObject item)
    {
        var root = item;
        for (var depth = 0; root.Parent is not null && depth < 8; depth++)
            root = root.Parent;
        var schema = root is SchemaObject ? root.Name : root.Schema;
        if (_includeTables.Count > 0)
        {
            // With --table only the matching relations and what hangs off them are dumped, as pg_dump -t does.
            return root is RelationObject relation && NamePattern.Matches(_includeTables, relation.Schema!, relation.Name) && !Excluded(relation);
        }
        if (schema is null)
            return _includeSchemas.Count == 0; // extensions, casts, publications, event triggers: only in whole-database dumps
        if (_includeSchemas.Count > 0 && !_includeSchemas.Exists(regex => regex.IsMatch(schema)))
            return false;
        if (_excludeSchemas.Exists(regex => regex.IsMatch(schema)))
            return false;
        return root is not RelationObject table || !Excluded(table);
    }

    public bool IncludesData(TableObject table) => !NamePattern.Matches(_excludeTableData, table.Schema!, table.Name);

    private bool Excluded(RelationObject relation) =>
        NamePattern.Matches(_excludeTables, relation.Schema!, relation.Name) || _excludeSchemas.Exists(regex => regex.IsMatch(relation.Schema!));
}
