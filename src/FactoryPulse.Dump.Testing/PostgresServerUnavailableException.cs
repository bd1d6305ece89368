namespace FactoryPulse.Dump.Testing;

/// <summary>
/// No PostgreSQL server could be found or started for the tests. The message says what was tried and how to provide one:
/// set the connection-string variable, install the PostgreSQL server binaries, or start Docker.
/// </summary>
public sealed class PostgresServerUnavailableException : Exception
{
    /// <summary>Creates the exception with the standard advice for the default variable <c>FPDUMP_TEST_CONNECTION</c>.</summary>
    public PostgresServerUnavailableException()
        : base(Advice(new PostgresServerOptions()))
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong; should say how to get a server.</param>
    public PostgresServerUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    /// <param name="message">What went wrong; should say how to get a server.</param>
    /// <param name="innerException">The failure that made the server unavailable.</param>
    public PostgresServerUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Builds the exception from a one-line reason plus the advice on all three ways to get a server.</summary>
    internal static PostgresServerUnavailableException Create(PostgresServerOptions options, string reason, Exception? innerException = null) =>
        new(reason + Environment.NewLine + Advice(options), innerException);

    private static string Advice(PostgresServerOptions options)
    {
        var nl = Environment.NewLine;
        return "The integration tests need a PostgreSQL server. Provide one of:" + nl
            + $"  (a) set the environment variable {options.ConnectionStringVariable} to a superuser connection string, "
            + $"e.g. {options.ConnectionStringVariable}=\"Host=localhost;Port=5432;Username=postgres;Password=...\";" + nl
            + "  (b) install the PostgreSQL server binaries (initdb, pg_ctl, postgres), e.g. `apt-get install postgresql`, "
            + "and put them on PATH or under /usr/lib/postgresql/<version>/bin (or set PostgresServerOptions.BinariesDirectory);" + nl
            + "  (c) reference the FactoryPulse.Dump.Testing.Testcontainers package and start Docker (DOCKER_HOST or /var/run/docker.sock), "
            + "or set PostgresServerOptions.Fallback.";
    }
}
