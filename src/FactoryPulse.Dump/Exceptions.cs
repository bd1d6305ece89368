namespace FactoryPulse.Dump;

/// <summary>Base of every error the library reports on purpose. Messages are one line, actionable and never hold secrets.</summary>
public class DumpException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DumpException(string message) : base(message) { }

    /// <summary>Creates the exception with its cause.</summary>
    public DumpException(string message, Exception? innerException) : base(message, innerException) { }
}

/// <summary>The server could not be reached, or refused the login.</summary>
public sealed class ServerConnectionException : DumpException
{
    /// <summary>Creates the exception.</summary>
    public ServerConnectionException(string message, Exception? innerException) : base(message, innerException) { }
}

/// <summary>The connected role lacks a privilege the operation needs (e.g. it cannot bypass row-level security).</summary>
public sealed class InsufficientPrivilegeException : DumpException
{
    /// <summary>Creates the exception.</summary>
    public InsufficientPrivilegeException(string message) : base(message) { }
}

/// <summary>The database holds an object this version cannot dump faithfully; nothing is written.</summary>
public sealed class UnsupportedObjectException : DumpException
{
    /// <summary>Creates the exception.</summary>
    public UnsupportedObjectException(string message) : base(message) { }
}

/// <summary>The archive is missing, incomplete, corrupt, or from a newer format version.</summary>
public sealed class ArchiveException : DumpException
{
    /// <summary>Creates the exception.</summary>
    public ArchiveException(string message) : base(message) { }

    /// <summary>Creates the exception with its cause.</summary>
    public ArchiveException(string message, Exception? innerException) : base(message, innerException) { }
}

/// <summary>The output path cannot be written (parent missing, already exists, disk full).</summary>
public sealed class OutputPathException : DumpException
{
    /// <summary>Creates the exception.</summary>
    public OutputPathException(string message, Exception? innerException = null) : base(message, innerException) { }
}

/// <summary>The restore target already holds objects and <see cref="RestoreOptions.Clean"/> was not given.</summary>
public sealed class TargetNotEmptyException : DumpException
{
    /// <summary>Creates the exception.</summary>
    public TargetNotEmptyException(string message) : base(message) { }
}

/// <summary>A statement of the restore failed; the message names the archive entry.</summary>
public sealed class RestoreFailedException : DumpException
{
    /// <summary>Creates the exception.</summary>
    public RestoreFailedException(string message, Exception? innerException) : base(message, innerException) { }

    /// <summary>What had been restored when the error happened (tables whose data committed), when known.</summary>
    public RestoreReport? PartialReport { get; init; }
}
