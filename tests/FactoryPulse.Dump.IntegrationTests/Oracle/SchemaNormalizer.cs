using System.Text;
using System.Text.RegularExpressions;

namespace FactoryPulse.Dump.IntegrationTests.Oracle;

/// <summary>
/// Port of /work/shared/tools/lib/normalize_schema.awk: turns `pg_dump --schema-only` output into one
/// record per dumped object, <c>KEY \x1f OWNER \x1f BODY</c> (body lines joined by \x1e). The records are the awk tool's (so
/// Matched/Total stay equal to pgcompare's), their bodies are stricter.
/// <para>
/// What it normalizes away, and why that cannot hide a difference in the schema: everything before the first entry (banner,
/// \restrict, "Dumped from/by", the session SETs of the restore: the same for every dump of a pg_dump version); between entries only
/// structure: the blank lines, the "--" and verbose-mode TOC lines (dump ids, timestamps) around each header, the trailer
/// (\unrestrict, "dump complete"). A body starts after its header and ends with its last statement, so what lies outside is never
/// content. Inside a record every line is kept exactly, blank lines and trailing blanks included. "( VALUES" is spelled "(VALUES"
/// (ruleutils is not idempotent there), and the units of an ACL / DEFAULT ACL entry are sorted (see <see cref="SortedAclUnits"/>).
/// </para>
/// <para>
/// SET default_tablespace / default_table_access_method are written only when the value changes, before the header of the entry
/// that needs them; the normalizer tracks them and puts the value in effect into the body of every entry pg_dump selects one
/// for, so a table restored into another tablespace or with another access method differs.
/// </para>
/// </summary>
internal static partial class SchemaNormalizer
{
    internal const char FieldSeparator = '\x1f';
    internal const char LineSeparator = '\x1e';

    [GeneratedRegex(@"^-- (Data for )?Name: .*; Type: .*; Schema: .*; Owner: ?.*$", RegexOptions.CultureInvariant)]
    private static partial Regex TocHeader();

    // pg_dump 17.6 / 16.10 / 15.14 and later bracket the script with \restrict KEY … \unrestrict KEY, a new random key every run
    [GeneratedRegex(@"^\\(restrict|unrestrict)", RegexOptions.CultureInvariant)]
    private static partial Regex RestrictLine();

    // verbose mode only: dump ids (numbering differs with object count), dependencies by dump id, timestamps
    [GeneratedRegex(@"^-- (TOC entry|Dependencies:|Started on|Completed on)", RegexOptions.CultureInvariant)]
    private static partial Regex TocNoiseLine();

    [GeneratedRegex(@"^[ \t\r]*$", RegexOptions.CultureInvariant)]
    private static partial Regex BlankLine();

    // what pg_dump writes (fmtId of the name, or '' for the database default), nothing looser: a line of a function body or a
    // literal that merely starts like this is content
    [GeneratedRegex(@"^SET default_tablespace = ('{2}|[a-z_][a-z0-9_$]*|""(?:[^""]|""{2})*"");$", RegexOptions.CultureInvariant)]
    private static partial Regex DefaultTablespaceLine();

    [GeneratedRegex(@"^SET default_table_access_method = ([a-z_][a-z0-9_$]*|""(?:[^""]|""{2})*"");$", RegexOptions.CultureInvariant)]
    private static partial Regex DefaultAccessMethodLine();

    // ADD CONSTRAINT of a key or exclusion constraint (the ones with an index, hence a tablespace)
    [GeneratedRegex(@"^    ADD CONSTRAINT .* (PRIMARY KEY|UNIQUE|EXCLUDE USING) ", RegexOptions.CultureInvariant)]
    private static partial Regex IndexConstraintLine();

    [GeneratedRegex(@"^PARTITION BY ", RegexOptions.CultureInvariant)]
    private static partial Regex PartitionByLine();

    /// <summary>Normalized records in dump order (the caller sorts, as compare.sh pipes through sort).</summary>
    internal static List<string> Normalize(string dump)
    {
        // awk splits records on \n only; a trailing newline does not start another record
        var lines = dump.Split('\n');
        var count = lines.Length > 0 && lines[^1].Length == 0 ? lines.Length - 1 : lines.Length;

        var headers = new List<int>();
        for (var n = 0; n < count; n++)
        {
            if (TocHeader().IsMatch(lines[n]))
                headers.Add(n);
        }

        var records = new List<string>();
        // pg_dump's _selectTablespace / _selectTableAccessMethod state: null until the first SET
        string? tablespace = null, accessMethod = null;
        // the preamble (banner, \restrict, session SETs) is noise, but a SET default_* in it is in effect for the first entry
        for (var n = 0; n < (headers.Count > 0 ? headers[0] : count); n++)
            Track(lines[n], ref tablespace, ref accessMethod);

        for (var h = 0; h < headers.Count; h++)
        {
            var header = lines[headers[h]][3..];
            var ownerAt = header.LastIndexOf("; Owner:", StringComparison.Ordinal);
            var key = header[..ownerAt];
            var owner = header[(ownerAt + 8)..];
            if (owner.StartsWith(' '))
                owner = owner[1..];
            var typeAt = key.LastIndexOf("; Type: ", StringComparison.Ordinal);
            var schemaAt = key.LastIndexOf("; Schema: ", StringComparison.Ordinal);
            var objectType = typeAt >= 0 && schemaAt > typeAt ? key[(typeAt + 8)..schemaAt] : "";

            // The record's lines run to the next header. Its end is structure, not content: the blank lines, the "--" and verbose
            // TOC lines of the next header, the SET default_* lines pg_dump writes before it, and after the last entry the trailer
            // (dump complete, \unrestrict). A body ends with a statement (";"), so none of these can be its real last line.
            var start = headers[h] + 1;
            var end = h + 1 < headers.Count ? headers[h + 1] : count;
            var bodyEnd = end;
            while (bodyEnd > start && IsTrailingStructure(lines[bodyEnd - 1]))
                bodyEnd--;
            // the "--" closing the header and the blank line after it
            var bodyStart = start;
            if (bodyStart < bodyEnd && lines[bodyStart] == "--")
                bodyStart++;
            while (bodyStart < bodyEnd && BlankLine().IsMatch(lines[bodyStart]))
                bodyStart++;

            var body = new List<string>(bodyEnd - bodyStart + 2);
            // Tablespace and access method are not in the entry's text but in the SETs before it; pg_dump sets them for every
            // entry that has one, so the value in effect at the header is the entry's own (not an accident of dump order).
            if (HasTablespace(objectType, lines, bodyStart, bodyEnd))
                body.Add($"SET default_tablespace = {tablespace ?? "<unset>"};");
            if (HasAccessMethod(objectType, lines, bodyStart, bodyEnd))
                body.Add($"SET default_table_access_method = {accessMethod ?? "<unset>"};");
            // every line inside the record is kept exactly (blank lines and trailing blanks of function bodies and literals count)
            for (var n = bodyStart; n < bodyEnd; n++)
            {
                // ruleutils does not deparse a VALUES-in-FROM view idempotently
                body.Add(lines[n].Replace("( VALUES", "(VALUES", StringComparison.Ordinal));
            }
            if (objectType is "ACL" or "DEFAULT ACL")
                body = SortedAclUnits(body);
            records.Add(key + FieldSeparator + owner + FieldSeparator + string.Join(LineSeparator, body));

            for (var n = bodyEnd; n < end; n++)
                Track(lines[n], ref tablespace, ref accessMethod);
        }
        return records;
    }

    private static void Track(string line, ref string? tablespace, ref string? accessMethod)
    {
        if (DefaultTablespaceLine().Match(line) is { Success: true } space)
            tablespace = space.Groups[1].Value;
        else if (DefaultAccessMethodLine().Match(line) is { Success: true } method)
            accessMethod = method.Groups[1].Value;
    }

    private static bool IsTrailingStructure(string line) =>
        BlankLine().IsMatch(line) || line == "--" || TocNoiseLine().IsMatch(line) || RestrictLine().IsMatch(line)
        || line.StartsWith("-- PostgreSQL database dump", StringComparison.Ordinal)
        || DefaultTablespaceLine().IsMatch(line) || DefaultAccessMethodLine().IsMatch(line);

    // pg_dump gives te->tablespace to tables (partitioned ones too), materialized views, indexes and the constraints that own an
    // index (PRIMARY KEY, UNIQUE, EXCLUDE: type CONSTRAINT; CHECK and FK CONSTRAINT have none)
    private static bool HasTablespace(string objectType, string[] lines, int start, int end) => objectType switch
    {
        "TABLE" or "MATERIALIZED VIEW" or "INDEX" => true,
        "CONSTRAINT" => AnyLine(lines, start, end, IndexConstraintLine()),
        _ => false,
    };

    // te->tableam: tables and materialized views; a partitioned table's (17+) is an ALTER … SET ACCESS METHOD in its body instead,
    // and _printTocEntry does not select one for it
    private static bool HasAccessMethod(string objectType, string[] lines, int start, int end) => objectType switch
    {
        "TABLE" => !AnyLine(lines, start, end, PartitionByLine()),
        "MATERIALIZED VIEW" => true,
        _ => false,
    };

    private static bool AnyLine(string[] lines, int start, int end, Regex pattern)
    {
        for (var n = start; n < end; n++)
        {
            if (pattern.IsMatch(lines[n]))
                return true;
        }
        return false;
    }

    /// <summary>
    /// The GRANT/REVOKE order of an ACL entry follows aclitem order (the order grants were issued), so the lines are sorted; but
    /// a grant by another grantor is written as SET SESSION AUTHORIZATION grantor; GRANT …; RESET SESSION AUTHORIZATION; and
    /// sorting those lines apart would lose who granted it. Such a block is one unit; every other line is a unit of its own.
    /// </summary>
    private static List<string> SortedAclUnits(List<string> body)
    {
        var units = new List<string>();
        for (var n = 0; n < body.Count; n++)
        {
            if (!body[n].StartsWith("SET SESSION AUTHORIZATION ", StringComparison.Ordinal))
            {
                units.Add(body[n]);
                continue;
            }
            var close = body.FindIndex(n, line => line == "RESET SESSION AUTHORIZATION;");
            var last = close < 0 ? body.Count - 1 : close;
            units.Add(string.Join(LineSeparator, body.GetRange(n, last - n + 1)));
            n = last;
        }
        units.Sort(CodePointComparer.Instance);
        return units;
    }

    internal static string KeyOf(string record)
    {
        var at = record.IndexOf(FieldSeparator, StringComparison.Ordinal);
        return at < 0 ? record : record[..at];
    }
}

/// <summary>Result of comparing normalized schema records, counted exactly like cmp_schema in compare.sh.</summary>
internal sealed record SchemaComparison(
    int Matched, int Total, IReadOnlyList<string> Missing, IReadOnlyList<string> Extra,
    IReadOnlyList<string> Differing, IReadOnlyList<string> Differences);

internal static class SchemaComparer
{
    /// <summary>
    /// Records are compared as multisets (sort + comm); keys only in the source's leftovers are MISSING,
    /// keys in both sides' leftovers DIFFER, keys of the target's leftovers unknown to the source are EXTRA.
    /// </summary>
    internal static SchemaComparison Compare(IReadOnlyList<string> source, IReadOnlyList<string> target, int diffLines = 14)
    {
        var targetCounts = CountOf(target);
        var sourceCounts = CountOf(source);

        var matched = 0;
        var sourceOnly = new List<string>();
        foreach (var (record, n) in sourceCounts)
        {
            var common = Math.Min(n, targetCounts.GetValueOrDefault(record));
            matched += common;
            for (var i = common; i < n; i++)
                sourceOnly.Add(record);
        }
        var targetOnly = new List<string>();
        foreach (var (record, n) in targetCounts)
        {
            for (var i = Math.Min(n, sourceCounts.GetValueOrDefault(record)); i < n; i++)
                targetOnly.Add(record);
        }
        // cmp_body_of takes the first record with the key from the sorted leftovers
        sourceOnly.Sort(CodePointComparer.Instance);
        targetOnly.Sort(CodePointComparer.Instance);

        var sourceKeys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var record in source)
            sourceKeys.Add(SchemaNormalizer.KeyOf(record));
        var sourceOnlyKeys = KeysOf(sourceOnly);
        var targetOnlyKeys = KeysOf(targetOnly);

        var differing = Sorted(sourceOnlyKeys.Where(targetOnlyKeys.Contains));
        var missing = Sorted(sourceOnlyKeys.Where(k => !targetOnlyKeys.Contains(k)));
        var extra = Sorted(targetOnlyKeys.Where(k => !sourceKeys.Contains(k)));

        var differences = new List<string>();
        foreach (var key in missing)
            differences.Add("MISSING in target: " + key);
        foreach (var key in extra)
            differences.Add("EXTRA in target: " + key);
        foreach (var key in differing)
        {
            var diff = UnifiedDiff.Create(BodyOf(sourceOnly, key), BodyOf(targetOnly, key));
            var text = new StringBuilder("DIFFERS: ").Append(key);
            foreach (var line in diff.Take(diffLines))
                text.Append("\n        ").Append(line);
            differences.Add(text.ToString());
        }
        return new SchemaComparison(matched, source.Count + extra.Count, missing, extra, differing, differences);
    }

    /// <summary>Owner line plus body lines of the first record with <paramref name="key"/> (cmp_body_of).</summary>
    internal static List<string> BodyOf(IReadOnlyList<string> sortedRecords, string key)
    {
        foreach (var record in sortedRecords)
        {
            var fields = record.Split(SchemaNormalizer.FieldSeparator);
            if (fields[0] != key)
                continue;
            var lines = new List<string> { "-- owner: " + (fields.Length > 1 ? fields[1] : "") };
            if (fields.Length > 2 && fields[2].Length > 0)
                lines.AddRange(fields[2].Split(SchemaNormalizer.LineSeparator));
            return lines;
        }
        return [];
    }

    private static Dictionary<string, int> CountOf(IReadOnlyList<string> records)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var record in records)
            counts[record] = counts.GetValueOrDefault(record) + 1;
        return counts;
    }

    private static HashSet<string> KeysOf(List<string> records)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var record in records)
            keys.Add(SchemaNormalizer.KeyOf(record));
        return keys;
    }

    private static List<string> Sorted(IEnumerable<string> keys)
    {
        var list = keys.ToList();
        list.Sort(CodePointComparer.Instance);
        return list;
    }
}

/// <summary>
/// Orders strings by Unicode code point, which is the byte order of their UTF-8 form, i.e. what
/// `LC_ALL=C sort` and awk's string comparison do in the shell tool.
/// </summary>
internal sealed class CodePointComparer : IComparer<string>
{
    public static readonly CodePointComparer Instance = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
            return 0;
        if (x is null)
            return -1;
        if (y is null)
            return 1;
        var n = Math.Min(x.Length, y.Length);
        for (var i = 0; i < n; i++)
        {
            if (x[i] != y[i])
                return Fix(x[i]) - Fix(y[i]);
        }
        return x.Length - y.Length;
    }

    // UTF-16 puts surrogates (non-BMP) below U+E000..U+FFFF; move them above to get code point order
    private static int Fix(char c) => c < 0xD800 ? c : c >= 0xE000 ? c - 0x800 : c + 0x2000;
}

/// <summary>
/// A small `diff -u` (without the ---/+++ header lines, as compare.sh strips them): common prefix and suffix
/// are trimmed, the rest is aligned by LCS; hunks carry 3 context lines and merge like GNU diff's.
/// </summary>
internal static class UnifiedDiff
{
    private enum Op { Equal, Delete, Insert }

    private const int Context = 3;
    private const long MaxLcsCells = 4_000_000;

    internal static List<string> Create(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        var ops = Align(a, b);
        var output = new List<string>();
        var i = 0;
        while (i < ops.Count)
        {
            if (ops[i].Op == Op.Equal)
            {
                i++;
                continue;
            }
            var start = Math.Max(0, i - Context);
            var end = i;
            var j = i;
            while (j < ops.Count)
            {
                if (ops[j].Op != Op.Equal)
                {
                    end = ++j;
                    continue;
                }
                var k = j;
                while (k < ops.Count && ops[k].Op == Op.Equal)
                    k++;
                if (k == ops.Count || k - j > 2 * Context)
                    break;
                j = k;
            }
            var stop = Math.Min(ops.Count, end + Context);
            int oldCount = 0, newCount = 0;
            for (var h = start; h < stop; h++)
            {
                if (ops[h].Op != Op.Insert)
                    oldCount++;
                if (ops[h].Op != Op.Delete)
                    newCount++;
            }
            output.Add($"@@ -{Range(ops[start].A, oldCount)} +{Range(ops[start].B, newCount)} @@");
            for (var h = start; h < stop; h++)
            {
                var (op, ai, bi) = ops[h];
                output.Add(op switch { Op.Equal => " " + a[ai], Op.Delete => "-" + a[ai], _ => "+" + b[bi] });
            }
            i = stop;
        }
        return output;
    }

    // GNU diff: "start,count", count 1 omitted, an empty range names the line before it
    private static string Range(int start, int count) =>
        count == 0 ? $"{start},0" : count == 1 ? $"{start + 1}" : $"{start + 1},{count}";

    private static List<(Op Op, int A, int B)> Align(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        int prefix = 0, suffix = 0;
        while (prefix < a.Count && prefix < b.Count && a[prefix] == b[prefix])
            prefix++;
        while (suffix < a.Count - prefix && suffix < b.Count - prefix && a[a.Count - 1 - suffix] == b[b.Count - 1 - suffix])
            suffix++;
        int n = a.Count - prefix - suffix, m = b.Count - prefix - suffix;

        var middle = new List<Op>();
        if ((long)n * m <= MaxLcsCells)
        {
            // lcs[i, j] = LCS length of a[prefix+i..] and b[prefix+j..]
            var lcs = new int[n + 1, m + 1];
            for (var i = n - 1; i >= 0; i--)
            {
                for (var j = m - 1; j >= 0; j--)
                {
                    lcs[i, j] = a[prefix + i] == b[prefix + j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
                }
            }
            int x = 0, y = 0;
            while (x < n || y < m)
            {
                if (x < n && y < m && a[prefix + x] == b[prefix + y])
                {
                    middle.Add(Op.Equal);
                    x++;
                    y++;
                }
                else if (y == m || (x < n && lcs[x + 1, y] >= lcs[x, y + 1]))
                {
                    middle.Add(Op.Delete);
                    x++;
                }
                else
                {
                    middle.Add(Op.Insert);
                    y++;
                }
            }
        }
        else
        {
            middle.AddRange(Enumerable.Repeat(Op.Delete, n));
            middle.AddRange(Enumerable.Repeat(Op.Insert, m));
        }

        // diff prints a change block's deletions before its insertions
        var ordered = new List<Op>(Enumerable.Repeat(Op.Equal, prefix));
        for (var i = 0; i < middle.Count;)
        {
            if (middle[i] == Op.Equal)
            {
                ordered.Add(Op.Equal);
                i++;
                continue;
            }
            int deletes = 0, inserts = 0;
            for (; i < middle.Count && middle[i] != Op.Equal; i++)
            {
                if (middle[i] == Op.Delete)
                    deletes++;
                else
                    inserts++;
            }
            ordered.AddRange(Enumerable.Repeat(Op.Delete, deletes));
            ordered.AddRange(Enumerable.Repeat(Op.Insert, inserts));
        }
        ordered.AddRange(Enumerable.Repeat(Op.Equal, suffix));

        var result = new List<(Op, int, int)>(ordered.Count);
        int ax = 0, bx = 0;
        foreach (var op in ordered)
        {
            result.Add((op, ax, bx));
            if (op != Op.Insert)
                ax++;
            if (op != Op.Delete)
                bx++;
        }
        return result;
    }
}
