namespace FactoryPulse.Dump;

/// <summary>Which part of a dump or restore is running.</summary>
public enum OperationPhase
{
    /// <summary>Connecting and checking the server.</summary>
    Connecting,
    /// <summary>Reading the catalog (dump) or the manifest (restore).</summary>
    ReadingCatalog,
    /// <summary>Creating schema objects before the data.</summary>
    PreData,
    /// <summary>Copying table data.</summary>
    Data,
    /// <summary>Indexes, constraints, triggers, policies after the data.</summary>
    PostData,
    /// <summary>Privileges, default privileges, materialized view refreshes.</summary>
    Finishing,
    /// <summary>Done.</summary>
    Completed,
}

/// <summary>
/// A progress report of a dump or restore. A value type: one is made for every chunk of rows, so reports cost no
/// allocation.
/// </summary>
public readonly record struct DumpProgress
{
    /// <summary>What runs now.</summary>
    public required OperationPhase Phase { get; init; }

    /// <summary>The object being worked on (qualified name), if any.</summary>
    public string? CurrentObject { get; init; }

    /// <summary>Tables whose data is complete.</summary>
    public int TablesDone { get; init; }

    /// <summary>Tables with data in this run.</summary>
    public int TablesTotal { get; init; }

    /// <summary>Rows copied so far.</summary>
    public long RowsDone { get; init; }

    /// <summary>Data bytes copied so far (as written to or read from the archive).</summary>
    public long BytesDone { get; init; }

    /// <summary>All rows to copy: a dump's estimate from pg_class.reltuples, a restore's exact total from the archive's manifest (0 when unknown).</summary>
    public long EstimatedRows { get; init; }

    /// <summary>All data bytes: a dump's estimate of the table bytes to read, from the relations' sizes; a restore's total of the archive's data files, from its manifest (0 when unknown).</summary>
    public long EstimatedBytes { get; init; }
}
