using System.Text;
using System.Text.RegularExpressions;

namespace FactoryPulse.Dump.IntegrationTests.Oracle;

/// <summary>
/// Port of /work/shared/tools/lib/normalize_schema.awk: turns `pg_dump --schema-only` output into one
/// record per dumped object, <c>KEY \x1f OWNER \x1f BODY</c> (body lines joined by \x1e).
/// <para>
/// What it normalizes away, and why that cannot hide a difference in the schema (each also at its regex or line below):
/// the \restrict/\unrestrict lines (a random key per pg_dump run); the "Dumped from/by" version lines, the banner, "--" and blank
/// lines, and verbose-mode TOC noise (dump ids, timestamps); the preamble of SET lines before the first entry (session settings of
/// the restore, the same for every dump of a pg_dump version); trailing blanks; "( VALUES" spelled "(VALUES"; the order of GRANT
/// lines inside one ACL / DEFAULT ACL entry; and the SET default_tablespace / default_table_access_method lines.
/// </para>
/// <para>
/// The last one does cost strength: pg_dump writes those SETs only when the value changes, and before the header of the entry that
/// needs them, so they would land in the body of whatever entry came before and differ with dump order. Kept as in the awk tool (so
/// Matched/Total stay equal to pgcompare's), which makes this oracle blind to a table's tablespace and access method;
/// <see cref="Support.CatalogFingerprint"/> compares both (relation lines: am=, tablespace=).
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

    // server and pg_dump versions: differ between the two sides of a cross-version comparison, say nothing about the schema
    [GeneratedRegex(@"^-- Dumped (from|by) ", RegexOptions.CultureInvariant)]
    private static partial Regex DumpedLine();

    // verbose mode only: dump ids (numbering differs with object count), dependencies by dump id, timestamps
    [GeneratedRegex(@"^-- (TOC entry|Dependencies:|Started on|Completed on)", RegexOptions.CultureInvariant)]
    private static partial Regex TocNoiseLine();

    [GeneratedRegex(@"^[ \t\r]*$", RegexOptions.CultureInvariant)]
    private static partial Regex BlankLine();

    // written before the header of the next entry that needs a change, so it would fall into the previous entry's body (see the
    // class summary: a real loss of strength, covered by CatalogFingerprint)
    [GeneratedRegex(@"^SET default_tablespace = .*;$", RegexOptions.CultureInvariant)]
    private static partial Regex DefaultTablespaceLine();

    [GeneratedRegex(@"^SET default_table_access_method = .*;$", RegexOptions.CultureInvariant)]
    private static partial Regex DefaultAccessMethodLine();

    /// <summary>Normalized records in dump order (the caller sorts, as compare.sh pipes through sort).</summary>
    internal static List<string> Normalize(string dump)
    {
        var records = new List<string>();
        var body = new List<string>();
        string? key = null, owner = null, objectType = null;

        void Flush()
        {
            if (key is null)
                return;
            // GRANT order follows aclitem order (the order grants were issued), not the privileges
            if (objectType is "ACL" or "DEFAULT ACL")
                body.Sort(CodePointComparer.Instance);
            records.Add(key + FieldSeparator + owner + FieldSeparator + string.Join(LineSeparator, body));
            body.Clear();
        }

        // awk splits records on \n only; a trailing newline does not start another record
        var lines = dump.Split('\n');
        var count = lines.Length > 0 && lines[^1].Length == 0 ? lines.Length - 1 : lines.Length;
        for (var n = 0; n < count; n++)
        {
            var line = lines[n];
            if (RestrictLine().IsMatch(line))
                continue;
            if (TocHeader().IsMatch(line))
            {
                Flush();
                var header = line[3..];
                var ownerAt = header.LastIndexOf("; Owner:", StringComparison.Ordinal);
                key = header[..ownerAt];
                owner = header[(ownerAt + 8)..];
                if (owner.StartsWith(' '))
                    owner = owner[1..];
                var typeAt = key.LastIndexOf("; Type: ", StringComparison.Ordinal);
                var schemaAt = key.LastIndexOf("; Schema: ", StringComparison.Ordinal);
                objectType = typeAt >= 0 && schemaAt > typeAt ? key[(typeAt + 8)..schemaAt] : "";
                continue;
            }
            if (line == "--" || DumpedLine().IsMatch(line) || line.StartsWith("-- PostgreSQL database dump", StringComparison.Ordinal)
                || TocNoiseLine().IsMatch(line) || BlankLine().IsMatch(line)
                || DefaultTablespaceLine().IsMatch(line) || DefaultAccessMethodLine().IsMatch(line))
                continue;
            if (key is null)
                continue; // preamble before the first TOC header (SET lines, banner)
            // ruleutils does not deparse a VALUES-in-FROM view idempotently
            body.Add(line.TrimEnd(' ', '\t', '\r').Replace("( VALUES", "(VALUES", StringComparison.Ordinal));
        }
        Flush();
        return records;
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
