namespace FactoryPulse.Dump.Testing.Snapshots;

/// <summary>How a <see cref="DatabaseSnapshot"/> gives tests the captured state back.</summary>
public enum SnapshotStrategy
{
    /// <summary>
    /// The captured database is kept as a frozen template; <see cref="DatabaseSnapshot.CloneAsync"/> hands out fresh databases made with
    /// <c>CREATE DATABASE … TEMPLATE</c>. Each test gets its own database, so tests can run in parallel.
    /// </summary>
    Template,

    /// <summary>
    /// The captured database itself is reset by <see cref="DatabaseSnapshot.ResetAsync"/>: only the tables changed since the snapshot
    /// (recorded by statement-level triggers the snapshot installs) are emptied (DELETE when small, otherwise TRUNCATE together with the
    /// tables referencing them) and reloaded from memory with binary COPY, and every sequence is set back. For suites that must keep one database; tests using it must take turns.
    /// </summary>
    InPlace,
}

/// <summary>The <c>STRATEGY</c> of <c>CREATE DATABASE … TEMPLATE</c> used by the <see cref="SnapshotStrategy.Template"/> strategy (PostgreSQL 15+).</summary>
public enum TemplateCopyStrategy
{
    /// <summary>
    /// <c>STRATEGY FILE_COPY</c>: copies the template's files (with a checkpoint before and after). On the Factory Pulse fixture (11 MB)
    /// with the test server settings it measured as fast as or slightly faster than <see cref="WalLog"/> and does not grow with
    /// WAL volume, so it is the default. Before PostgreSQL 15 this is the only way.
    /// </summary>
    FileCopy,

    /// <summary><c>STRATEGY WAL_LOG</c> (the server's own default since PostgreSQL 15): copies block by block through the WAL, no checkpoint.</summary>
    WalLog,
}
