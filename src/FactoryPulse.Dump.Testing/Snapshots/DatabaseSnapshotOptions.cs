namespace FactoryPulse.Dump.Testing.Snapshots;

/// <summary>How <see cref="DatabaseSnapshot.CaptureAsync"/> captures a database.</summary>
public sealed record DatabaseSnapshotOptions
{
    /// <summary>Template clones (the default) or in-place resets.</summary>
    public SnapshotStrategy Strategy { get; init; } = SnapshotStrategy.Template;

    /// <summary><c>CREATE DATABASE</c> strategy for template clones (ignored before PostgreSQL 15, which always copies files).</summary>
    public TemplateCopyStrategy CopyStrategy { get; init; } = TemplateCopyStrategy.FileCopy;

    /// <summary>
    /// Template strategy only: use the captured database itself as the template instead of copying it first. It is closed to
    /// connections (remaining sessions on it are terminated) and dropped when the snapshot is disposed. Saves one copy when the
    /// database was created just to be captured.
    /// </summary>
    public bool UseSourceAsTemplate { get; init; }

    /// <summary>Start of the names of the databases the snapshot creates: <c>{prefix}_tpl_xxxxxxxx</c> for the template, <c>{prefix}_xxxxxxxx</c> for clones.</summary>
    public string DatabaseNamePrefix { get; init; } = "snapshot";

    /// <summary>
    /// In-place strategy: when every changed table is at most this big (heap now and captured data), a reset empties just those
    /// tables with DELETE (foreign-key triggers off); otherwise it uses one TRUNCATE, which must include the tables referencing them.
    /// 0 always truncates. Default 1 MiB.
    /// </summary>
    public long InPlaceDeleteThresholdBytes { get; init; } = 1 << 20;

    /// <summary>In-place strategy: how long a reset waits for a lock held by another session (e.g. a transaction a test left open) before failing.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>What <see cref="DatabaseSnapshot.ResetAsync"/> did.</summary>
public sealed record SnapshotResetResult
{
    /// <summary>Tables truncated and reloaded (quoted, schema-qualified names); empty when nothing had changed.</summary>
    public required IReadOnlyList<string> ReloadedTables { get; init; }

    /// <summary>
    /// Tables written since the snapshot (or the previous reset); when a reset truncates, <see cref="ReloadedTables"/> adds
    /// the tables that reference them by foreign key, which TRUNCATE must empty with them.
    /// </summary>
    public required IReadOnlyList<string> ChangedTables { get; init; }

    /// <summary>Wall time of the reset.</summary>
    public required TimeSpan Elapsed { get; init; }
}
