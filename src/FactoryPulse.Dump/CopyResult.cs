namespace FactoryPulse.Dump;

/// <summary>What a direct database-to-database copy did.</summary>
public sealed record CopyResult
{
    /// <summary>Schema entries executed on the target.</summary>
    public required int ObjectsCreated { get; init; }

    /// <summary>Rows copied per table, in load order (counted from the COPY stream as it passed).</summary>
    public required IReadOnlyList<RestoredTable> Tables { get; init; }

    /// <summary>Sequence values set.</summary>
    public required int SequencesSet { get; init; }

    /// <summary>The source server's version, as it reports it (e.g. "15.10").</summary>
    public required string SourceServerVersion { get; init; }

    /// <summary>Wall-clock time of the copy, from the first connection to the last commit.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>Things the user should know (never secrets).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Entries that failed when <see cref="CopyOptions.ExitOnError"/> was off (empty otherwise: the first error throws).</summary>
    public IReadOnlyList<string> Errors { get; init; } = [];

    /// <summary>Rows copied over all tables.</summary>
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
