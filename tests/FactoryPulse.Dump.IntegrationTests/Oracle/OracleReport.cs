using System.Text;

namespace FactoryPulse.Dump.IntegrationTests.Oracle;

/// <summary>What <see cref="DatabaseOracle.CompareAsync"/> compares (pgcompare's --schema-only / --data-only / --exclude-schema).</summary>
public sealed record OracleOptions
{
    /// <summary>(a) schema objects from pg_dump --schema-only.</summary>
    public bool Schema { get; init; } = true;

    /// <summary>(b) table data, (c) sequences, (d) large objects.</summary>
    public bool Data { get; init; } = true;

    /// <summary>
    /// Database-level properties (off by default, as pg_dump writes them only with --create): owner, ACL, comment, settings
    /// (pg_db_role_setting), encoding, locales, tablespace, connection limit, template and allow-connections flags. For restores
    /// that create the database or carry its settings.
    /// </summary>
    public bool DatabaseProperties { get; init; }

    /// <summary>Schemas left out on both sides (exact, case-sensitive names).</summary>
    public IReadOnlyList<string> ExcludeSchemas { get; init; } = [];

    /// <summary>Diff lines kept under each differing schema object (pgcompare's FID_DIFF_LINES).</summary>
    public int DiffLines { get; init; } = 14;
}

/// <summary>Result of a comparison; <see cref="Matched"/>/<see cref="Total"/> is pgcompare's `fidelity: X/Y`.</summary>
public sealed class OracleReport
{
    internal OracleReport(IReadOnlyList<string> differences, int matched, int total, IReadOnlyList<string> scoreLines, IReadOnlyList<string> notes)
    {
        Differences = differences;
        Matched = matched;
        Total = total;
        ScoreLines = scoreLines;
        Notes = notes;
    }

    /// <summary>One entry per differing object; schema entries carry a diff on the following lines.</summary>
    public IReadOnlyList<string> Differences { get; }

    public int Matched { get; }

    public int Total { get; }

    /// <summary>pgcompare's per-category score lines, e.g. "tables with identical data: 3/4".</summary>
    public IReadOnlyList<string> ScoreLines { get; }

    /// <summary>Diagnostics that are not differences themselves (e.g. large object contents found under other oids).</summary>
    public IReadOnlyList<string> Notes { get; }

    public bool IsIdentical => Differences.Count == 0;

    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var difference in Differences)
            text.Append(difference).Append('\n');
        foreach (var note in Notes)
            text.Append(note).Append('\n');
        foreach (var line in ScoreLines)
            text.Append(line).Append('\n');
        return text.Append("fidelity: ").Append(Matched).Append('/').Append(Total).ToString();
    }
}
