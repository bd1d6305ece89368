namespace FactoryPulse.Dump;

/// <summary>What a dump wrote.</summary>
public sealed record DumpResult
{
    /// <summary>The completed archive directory.</summary>
    public required string ArchivePath { get; init; }

    /// <summary>Table-of-contents entries in the archive.</summary>
    public required int EntryCount { get; init; }

    /// <summary>Tables whose data is in the archive.</summary>
    public required int TableCount { get; init; }

    /// <summary>Rows over all tables.</summary>
    public required long RowCount { get; init; }

    /// <summary>Bytes of table data files.</summary>
    public required long DataBytes { get; init; }

    /// <summary>Wall-clock time of the dump.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>Things the user should know (never secrets).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>Rows restored into one table.</summary>
public sealed record RestoredTable
{
    /// <summary>Qualified table name.</summary>
    public required string Table { get; init; }

    /// <summary>Rows loaded.</summary>
    public required long Rows { get; init; }
}

/// <summary>What a restore did.</summary>
public sealed record RestoreReport
{
    /// <summary>Schema entries executed.</summary>
    public required int ObjectsCreated { get; init; }

    /// <summary>Rows loaded per table, in load order.</summary>
    public required IReadOnlyList<RestoredTable> Tables { get; init; }

    /// <summary>Sequence values set.</summary>
    public required int SequencesSet { get; init; }

    /// <summary>Wall-clock time of the restore.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>Things the user should know.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

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
