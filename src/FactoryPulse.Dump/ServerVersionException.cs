namespace FactoryPulse.Dump;

/// <summary>The target server's major version is older than the archive's: its DDL may not parse there. Nothing was changed.</summary>
public sealed class ServerVersionException : DumpException
{
    /// <summary>Creates the exception.</summary>
    public ServerVersionException(string message) : base(message) { }

    /// <summary>The archive's server version (server_version_num, e.g. 170004).</summary>
    public int ArchiveServerVersion { get; init; }

    /// <summary>The target's server version (server_version_num).</summary>
    public int TargetServerVersion { get; init; }
}
