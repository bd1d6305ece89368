using System.Text;
using System.Text.RegularExpressions;

namespace FactoryPulse.Dump.Sql;

/// <summary>
/// psql's name patterns, as the dump's and the restore's --schema/--table options take them: * and ? are wildcards,
/// unquoted letters fold to lower case, "…" is literal, a dot separates schema and name.
/// </summary>
internal static class NamePattern
{
    public static bool Matches(List<(Regex? Schema, Regex Name)> patterns, string schema, string name)
    {
        foreach (var (schemaPattern, namePattern) in patterns)
        {
            if ((schemaPattern is null || schemaPattern.IsMatch(schema)) && namePattern.IsMatch(name))
                return true;
        }
        return false;
    }

    public static Regex ParseSchemaPattern(string pattern)
    {
        var parts = Split(pattern);
        if (parts.Count != 1)
            throw new DumpException($"Schema pattern '{pattern}' has a dot; use schema names only (quote a name that contains a dot).");
        return parts[0];
    }

    public static (Regex? Schema, Regex Name) ParseRelationPattern(string pattern)
    {
        var parts = Split(pattern);
        return parts.Count switch
        {
            1 => (null, parts[0]),
            2 => (parts[0], parts[1]),
            3 => (parts[1], parts[2]), // database.schema.table: the database part must be the current one
            _ => throw new DumpException($"Improper qualified name (too many dotted names): {pattern}"),
        };
    }

    /// <summary>psql's patternToSQLRegex, in small: one anchored regex per dotted part.</summary>
    public static List<Regex> Split(string pattern)
    {
        var parts = new List<Regex>();
        var current = new StringBuilder();
        var inQuotes = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '"')
            {
                if (inQuotes && i + 1 < pattern.Length && pattern[i + 1] == '"')
                {
                    current.Append('"');
                    i++;
                }
                else
                {
                    inQuotes = !inQuotes;
                }
            }
            else if (!inQuotes && c == '.')
            {
                parts.Add(Anchored(current));
                current.Clear();
            }
            else if (!inQuotes && c == '*')
            {
                current.Append(".*");
            }
            else if (!inQuotes && c == '?')
            {
                current.Append('.');
            }
            else
            {
                current.Append(Regex.Escape((inQuotes ? c : char.ToLowerInvariant(c)).ToString()));
            }
        }
        parts.Add(Anchored(current));
        return parts;
    }

    private static Regex Anchored(StringBuilder body) => new("^(?:" + body + ")$", RegexOptions.CultureInvariant | RegexOptions.Singleline);
}
