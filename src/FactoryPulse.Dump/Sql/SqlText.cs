using System.Text;

namespace FactoryPulse.Dump.Sql;

/// <summary>
/// The one place where names and literals become SQL text. Every generated statement goes through here,
/// so no catalog name can break out of its quotes.
/// </summary>
internal static class SqlText
{
    /// <summary>Always double-quotes: used for statements the restore builds from manifest names.</summary>
    public static string QuoteIdentifier(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>Quotes only when needed (like pg_dump's fmtId); <paramref name="keywords"/> are the server's non-unreserved keywords.</summary>
    public static string QuoteIdentifierIfNeeded(string name, IReadOnlySet<string> keywords)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || keywords.Contains(name))
            return QuoteIdentifier(name);
        var first = name[0];
        if (!(first is >= 'a' and <= 'z' || first == '_'))
            return QuoteIdentifier(name);
        foreach (var c in name)
        {
            if (!(c is >= 'a' and <= 'z' || c is >= '0' and <= '9' || c == '_'))
                return QuoteIdentifier(name);
        }
        return name;
    }

    /// <summary>Quotes a string literal for a server with standard_conforming_strings on (the default since 9.1).</summary>
    public static string QuoteLiteral(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Contains('\0', StringComparison.Ordinal))
            throw new ArgumentException("SQL literals cannot hold NUL characters.", nameof(value));
        return "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    /// <summary>
    /// A <c>DO</c> block running <paramref name="statement"/> only when <paramref name="condition"/> holds: the
    /// IF EXISTS of statements that have none (ALTER PUBLICATION … DROP TABLE). The dollar-quote tag is one the body
    /// does not contain, so names inside it cannot end the block.
    /// </summary>
    public static string DoIf(string condition, string statement)
    {
        var body = $"BEGIN IF {condition} THEN {statement} END IF; END";
        var tag = "$do$";
        for (var n = 1; body.Contains(tag, StringComparison.Ordinal); n++)
            tag = $"$do{n}$";
        return $"DO {tag}{body}{tag};\n";
    }

    /// <summary>Qualified name with always-quoted parts.</summary>
    public static string QuoteQualified(string? schema, string name) =>
        schema is null ? QuoteIdentifier(name) : QuoteIdentifier(schema) + "." + QuoteIdentifier(name);

    /// <summary>A comma-separated list of always-quoted column names.</summary>
    public static string QuoteColumnList(IReadOnlyList<string> columns)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < columns.Count; i++)
        {
            if (i > 0)
                builder.Append(", ");
            builder.Append(QuoteIdentifier(columns[i]));
        }
        return builder.ToString();
    }
}
