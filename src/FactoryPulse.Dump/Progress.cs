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

/// <summary>A progress report of a dump or restore.</summary>
/// <param name="Phase">What runs now.</param>
/// <param name="CurrentObject">The object being worked on (qualified name), if any.</param>
/// <param name="TablesDone">Tables whose data is complete.</param>
/// <param name="TablesTotal">Tables with data in this run.</param>
/// <param name="RowsDone">Rows copied so far.</param>
/// <param name="BytesDone">Data bytes copied so far (as written to or read from the archive).</param>
/// <param name="EstimatedRows">A dump's estimate of all rows to copy, from pg_class.reltuples (0 when unknown).</param>
/// <param name="EstimatedBytes">A dump's estimate of the table bytes to read, from the relations' sizes (0 when unknown).</param>
public readonly record struct DumpProgress(
    OperationPhase Phase,
    string? CurrentObject,
    int TablesDone,
    int TablesTotal,
    long RowsDone,
    long BytesDone,
    long EstimatedRows = 0,
    long EstimatedBytes = 0);
