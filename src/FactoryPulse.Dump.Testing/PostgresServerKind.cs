namespace FactoryPulse.Dump.Testing;

/// <summary>Where a <see cref="PostgresServer"/> came from.</summary>
public enum PostgresServerKind
{
    /// <summary>An existing server named by the connection-string environment variable; only databases created through it are dropped.</summary>
    Environment,

    /// <summary>A fresh cluster started from local PostgreSQL server binaries in a temp directory, deleted on dispose.</summary>
    LocalBinaries,

    /// <summary>A Docker container started through Testcontainers (package FactoryPulse.Dump.Testing.Testcontainers), removed on dispose.</summary>
    Testcontainers,
}
