using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace FactoryPulse.Dump;

/// <summary>The public operations, each with its own wording and its own idea of which files it writes.</summary>
internal enum Operation
{
    Dump,
    BackupSet,
    Restore,
    List,
    Verify,
    Summarize,
    Copy,
}

/// <summary>
/// The last line of every public entry point: whatever escaped the operation reaches the caller as one of the
/// library's exception types, with the original as InnerException. The type is chosen by the exception's type and
/// the server's SQLSTATE, never by message text. DumpExceptions pass unchanged (they already say what happened), and
/// so does cancellation, after <see cref="Cancellation.Typed"/> has turned cancellation wrapped by Npgsql into
/// OperationCanceledException.
/// </summary>
internal static class ErrorTranslation
{
    public static async Task<T> RunAsync<T>(Operation operation, Task<T> work, CancellationToken cancellationToken)
    {
        try
        {
            return await Cancellation.Typed(work, cancellationToken).ConfigureAwait(false);
        }
        // A refused redaction and a connection string that cannot be understood are option errors (ArgumentException), found
        // once the run starts: they pass unchanged too.
        catch (Exception exception) when (exception is not (DumpException or OperationCanceledException or RedactionRefusedException or ConnectionStringException))
        {
            throw Translate(exception, operation);
        }
    }

    public static DumpException Translate(Exception exception, Operation operation)
    {
        var what = Describe(operation);
        switch (exception)
        {
            case PostgresException postgres when postgres.SqlState == PostgresErrorCodes.InsufficientPrivilege:
                return new InsufficientPrivilegeException(
                    $"{what} failed: the role lacks a privilege: {OneLine(postgres.MessageText)} (SQLSTATE {postgres.SqlState}). Run it as the owner of the objects or as a superuser.",
                    postgres)
                {
                    SqlState = postgres.SqlState,
                    ObjectName = ObjectOf(postgres),
                };
            case PostgresException postgres when IsLostConnection(postgres.SqlState):
                return new ServerConnectionException($"{what} failed: the server ended the session: {OneLine(postgres.MessageText)} (SQLSTATE {postgres.SqlState}).", postgres)
                {
                    SqlState = postgres.SqlState,
                };
            case PostgresException postgres:
                return new DumpException($"{what} failed: the server reported: {OneLine(postgres.MessageText)} (SQLSTATE {postgres.SqlState}).", postgres)
                {
                    SqlState = postgres.SqlState,
                    ObjectName = ObjectOf(postgres),
                };
            case NpgsqlException or SocketException or TimeoutException:
                return new ServerConnectionException($"{what} failed: the connection to the server failed: {MessagesOf(exception)}", exception);
            // Before IOException: EndOfStreamException is one, and a file that ends early is a damaged archive, not a full disk.
            case InvalidDataException or JsonException or CryptographicException or EndOfStreamException or ZstdSharp.ZstdException:
                return new ArchiveException($"{what} failed: archive data is damaged or unreadable: {MessagesOf(exception)}", exception);
            case IOException or UnauthorizedAccessException when Writes(operation):
                return new OutputPathException($"{what} failed writing its files: {MessagesOf(exception)}", exception);
            case IOException or UnauthorizedAccessException:
                return new ArchiveException($"{what} failed reading the archive: {MessagesOf(exception)}", exception);
            default:
                return new DumpException($"{what} failed: {MessagesOf(exception)}", exception);
        }
    }

    /// <summary>Dumps and backup sets write archives; everything else only reads them.</summary>
    private static bool Writes(Operation operation) => operation is Operation.Dump or Operation.BackupSet;

    private static string Describe(Operation operation) => operation switch
    {
        Operation.Dump => "The dump",
        Operation.BackupSet => "The backup set",
        Operation.Restore => "The restore",
        Operation.List => "Listing the archive",
        Operation.Verify => "Verifying the archive",
        Operation.Copy => "The copy",
        _ => "Summarizing the archive",
    };

    /// <summary>
    /// SQLSTATE classes 08 (connection exception) and 28 (invalid authorization), and the shutdown codes of class 57:
    /// the session is gone, which is a connection problem rather than something the archive or the objects did.
    /// </summary>
    private static bool IsLostConnection(string sqlState) =>
        sqlState.StartsWith("08", StringComparison.Ordinal)
        || sqlState.StartsWith("28", StringComparison.Ordinal)
        || sqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow;

    /// <summary>The relation the server named (schema-qualified when it said the schema), else the constraint, else the type.</summary>
    private static string? ObjectOf(PostgresException postgres)
    {
        if (postgres.TableName is { } table)
            return postgres.SchemaName is { } schema ? $"{schema}.{table}" : table;
        return postgres.ConstraintName ?? postgres.DataTypeName;
    }

    /// <summary>
    /// The exception's message and its causes' (Npgsql's "Exception while reading from stream" says little without
    /// the socket error under it), on one line.
    /// </summary>
    private static string MessagesOf(Exception exception)
    {
        var text = new StringBuilder();
        var depth = 0;
        for (var current = exception; current is not null && depth < 4; current = current.InnerException, depth++)
        {
            var message = OneLine(current.Message);
            if (message.Length == 0 || text.ToString().Contains(message, StringComparison.Ordinal))
                continue;
            if (text.Length > 0)
                text.Append(": ");
            text.Append(message.TrimEnd('.'));
        }
        if (text.Length == 0)
            text.Append(exception.GetType().Name);
        return text.Append('.').ToString();
    }

    private static string OneLine(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return "";
        var line = new StringBuilder(text.Length);
        var space = false;
        foreach (var character in text)
        {
            if (char.IsWhiteSpace(character))
            {
                space = line.Length > 0;
                continue;
            }
            if (space)
                line.Append(' ');
            space = false;
            line.Append(character);
        }
        return line.ToString();
    }
}
