namespace FactoryPulse.Dump;

/// <summary>
/// Base of every error the library reports. Messages are one line, actionable and never hold secrets; what went wrong
/// underneath is the <see cref="Exception.InnerException"/>, and the facts a program can act on are properties.
/// </summary>
public class DumpException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DumpException(string message) : base(message) { }

    /// <summary>Creates the exception with its cause.</summary>
    public DumpException(string message, Exception? innerException) : base(message, innerException) { }

    /// <summary>The SQLSTATE the server reported (see Npgsql's <c>PostgresErrorCodes</c>), when the server reported the error.</summary>
    public string? SqlState { get; init; }

    /// <summary>The archive entry being dumped or restored when the error happened, as its display name (e.g. <c>TABLE public.users</c>), when known.</summary>
    public string? Entry { get; init; }

    /// <summary>The database object the error is about (e.g. <c>public.users</c> or a constraint's name), when known.</summary>
    public string? ObjectName { get; init; }
}

/// <summary>The server could not be reached, refused the login, or the connection broke during the operation.</summary>
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

    /// <summary>Creates the exception with its cause (usually the server's error, SQLSTATE 42501).</summary>
    public InsufficientPrivilegeException(string message, Exception? innerException) : base(message, innerException) { }

    /// <summary>
    /// Every missing privilege found before the first change, one line each, naming the object, what is missing and why
    /// (e.g. <c>public.x: not the owner, and its trigger t_audit must be switched off …</c>); empty when the server
    /// refused a statement (see <see cref="Exception.InnerException"/>).
    /// </summary>
    public IReadOnlyList<string> Problems { get; init; } = [];
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

/// <summary>The output path cannot be written (already exists, a parent directory cannot be created, disk full).</summary>
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

/// <summary>
/// The database <see cref="RestoreOptions.CreateDatabase"/> or <see cref="RestoreOptions.CreateDatabaseName"/> asked to
/// create exists already; nothing was changed. Restore into it without creating it (it must be empty, or use
/// <see cref="RestoreOptions.Clean"/>), drop it first, or choose another name.
/// </summary>
public sealed class DatabaseExistsException : DumpException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">One line naming the database and what to do.</param>
    /// <param name="databaseName">The database that exists.</param>
    /// <param name="innerException">The server's error (SQLSTATE 42P04), when CREATE DATABASE reported it.</param>
    public DatabaseExistsException(string message, string databaseName, Exception? innerException = null) : base(message, innerException)
    {
        DatabaseName = databaseName;
    }

    /// <summary>The database that exists.</summary>
    public string DatabaseName { get; }
}

/// <summary>
/// The target server is older than the archive's: catalog definitions move forward only, so a newer server's DDL
/// may not run on an older one. Nothing was changed.
/// </summary>
public sealed class ServerVersionException : DumpException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">One line saying which versions met.</param>
    /// <param name="archiveServerVersion">The major version of the server the archive was dumped from (e.g. 17).</param>
    /// <param name="targetServerVersion">The major version of the target server (e.g. 15).</param>
    public ServerVersionException(string message, int archiveServerVersion, int targetServerVersion) : base(message)
    {
        ArchiveServerVersion = archiveServerVersion;
        TargetServerVersion = targetServerVersion;
    }

    /// <summary>The major version of the server the archive was dumped from (e.g. 17).</summary>
    public int ArchiveServerVersion { get; }

    /// <summary>The major version of the target server (e.g. 15).</summary>
    public int TargetServerVersion { get; }
}

/// <summary>A statement of the restore failed; the message names the archive entry.</summary>
public sealed class RestoreFailedException : DumpException
{
    /// <summary>Creates the exception.</summary>
    public RestoreFailedException(string message, Exception? innerException) : base(message, innerException) { }

    /// <summary>What had been restored when the error happened (tables whose data committed), when known.</summary>
    public RestoreReport? PartialReport { get; init; }
}
