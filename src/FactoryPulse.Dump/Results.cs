namespace FactoryPulse.Dump;

/// <summary>What a dump wrote.</summary>
/// <param name="ArchivePath">The completed archive directory.</param>
/// <param name="EntryCount">Table-of-contents entries in the archive.</param>
/// <param name="TableCount">Tables whose data is in the archive.</param>
/// <param name="RowCount">Rows over all tables.</param>
/// <param name="DataBytes">Bytes of table data files.</param>
/// <param name="Elapsed">Wall-clock time of the dump.</param>
/// <param name="Warnings">Things the user should know (never secrets).</param>
public sealed record DumpResult(
    string ArchivePath,
    int EntryCount,
    int TableCount,
    long RowCount,
    long DataBytes,
    TimeSpan Elapsed,
    IReadOnlyList<string> Warnings);

/// <summary>Rows restored into one table.</summary>
/// <param name="Table">Qualified table name.</param>
/// <param name="Rows">Rows loaded.</param>
public sealed record RestoredTable(string Table, long Rows);

/// <summary>What a restore did.</summary>
/// <param name="ObjectsCreated">Schema entries executed.</param>
/// <param name="Tables">Rows loaded per table, in load order.</param>
/// <param name="SequencesSet">Sequence values set.</param>
/// <param name="Elapsed">Wall-clock time of the restore.</param>
/// <param name="Warnings">Things the user should know.</param>
public sealed record RestoreReport(
    int ObjectsCreated,
    IReadOnlyList<RestoredTable> Tables,
    int SequencesSet,
    TimeSpan Elapsed,
    IReadOnlyList<string> Warnings)
{
    /// <summary>Entries that failed when <see cref="RestoreOptions.ExitOnError"/> was off (empty otherwise: the first error throws).</summary>
    public IReadOnlyList<string> Errors { get; init; } = [];

    /// <summary>Rows loaded over all tables.</summary>
    public long TotalRows
    {
        get
        {
            long total = 0;
            foreach (var table in Tables)
                total += table.Rows;
            return total;
        }
    }
}
