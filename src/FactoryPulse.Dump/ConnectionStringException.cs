namespace FactoryPulse.Dump;

/// <summary>
/// The connection string, or a PG* environment variable that fills one of its parts, cannot be understood: malformed
/// keywords or URI, an unknown <c>sslmode</c>, a port that is not a number. Thrown before anything connects, and never
/// holding the password. Like the other option errors it is an <see cref="ArgumentException"/> (the CLI exits with 2).
/// </summary>
public sealed class ConnectionStringException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">One line saying what is wrong, without the connection string's secrets.</param>
    /// <param name="paramName">The option holding the connection string (e.g. <c>ConnectionString</c>).</param>
    /// <param name="innerException">Npgsql's error, when it found the problem.</param>
    public ConnectionStringException(string message, string? paramName, Exception? innerException = null) : base(message, paramName, innerException) { }

    /// <summary>The environment variable that held the bad value (e.g. <c>PGPORT</c>), when it came from one.</summary>
    public string? EnvironmentVariable { get; init; }
}
