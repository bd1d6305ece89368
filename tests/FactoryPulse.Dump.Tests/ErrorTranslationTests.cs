using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using Npgsql;

namespace FactoryPulse.Dump.Tests;

public sealed class ErrorTranslationTests
{
    private static PostgresException ServerError(string sqlState, string messageText, string? schema = null, string? table = null, string? constraint = null) =>
        new(messageText, "ERROR", "ERROR", sqlState, detail: "Key (email)=(a@example.com) already exists.", hint: null, position: 0, internalPosition: 0,
            internalQuery: null, where: null, schemaName: schema, tableName: table, columnName: null, dataTypeName: null, constraintName: constraint,
            file: null, line: null, routine: null);

    public static TheoryData<string> AllOperations => [.. Enum.GetNames<Operation>()];

    // Operation is internal: theories name it, so their public signatures stay public.
    private static Operation Named(string name) => Enum.Parse<Operation>(name);

    [Theory]
    [MemberData(nameof(AllOperations))]
    public void A_server_error_becomes_a_DumpException_carrying_its_sqlstate_and_object(string operationName)
    {
        var original = ServerError(PostgresErrorCodes.UniqueViolation, "duplicate key value violates unique constraint \"users_email_key\"", "public", "users", "users_email_key");

        var translated = ErrorTranslation.Translate(original, Named(operationName));

        translated.GetType().Should().Be<DumpException>();
        translated.SqlState.Should().Be(PostgresErrorCodes.UniqueViolation);
        translated.ObjectName.Should().Be("public.users");
        translated.InnerException.Should().BeSameAs(original);
        translated.Message.Should().Contain("duplicate key value violates unique constraint").And.Contain("SQLSTATE 23505")
            .And.NotContain("a@example.com", "the detail can hold row values");
    }

    [Fact]
    public void A_server_error_without_a_table_names_its_constraint()
    {
        var translated = ErrorTranslation.Translate(ServerError(PostgresErrorCodes.CheckViolation, "check failed", constraint: "total_positive"), Operation.Restore);

        translated.ObjectName.Should().Be("total_positive");
    }

    [Theory]
    [MemberData(nameof(AllOperations))]
    public void A_missing_privilege_becomes_InsufficientPrivilegeException_with_its_cause(string operationName)
    {
        var original = new PostgresException("permission denied for table orders", "ERROR", "ERROR", PostgresErrorCodes.InsufficientPrivilege);

        var translated = ErrorTranslation.Translate(original, Named(operationName));

        translated.Should().BeOfType<InsufficientPrivilegeException>();
        translated.SqlState.Should().Be("42501");
        translated.InnerException.Should().BeSameAs(original);
        translated.Message.Should().Contain("permission denied for table orders").And.Contain("42501");
    }

    [Theory]
    [InlineData(PostgresErrorCodes.AdminShutdown)]
    [InlineData(PostgresErrorCodes.CrashShutdown)]
    [InlineData(PostgresErrorCodes.CannotConnectNow)]
    [InlineData(PostgresErrorCodes.ConnectionFailure)]
    [InlineData(PostgresErrorCodes.InvalidPassword)]
    public void A_server_error_that_ends_the_session_is_a_connection_error(string sqlState)
    {
        var original = new PostgresException("terminating connection due to administrator command", "FATAL", "FATAL", sqlState);

        var translated = ErrorTranslation.Translate(original, Operation.Restore);

        translated.Should().BeOfType<ServerConnectionException>();
        translated.SqlState.Should().Be(sqlState);
        translated.InnerException.Should().BeSameAs(original);
    }

    public static TheoryData<Exception> ConnectionFailures => new()
    {
        new NpgsqlException("Exception while reading from stream", new IOException("Unable to read data from the transport connection: Connection reset by peer.")),
        new NpgsqlException("The operation has timed out", new TimeoutException("Timeout during reading attempt")),
        new SocketException((int)SocketError.ConnectionRefused),
        new TimeoutException("The operation has timed out."),
    };

    [Theory]
    [MemberData(nameof(ConnectionFailures))]
    public void Client_side_connection_failures_become_ServerConnectionException(Exception original)
    {
        foreach (var operation in new[] { Operation.Dump, Operation.Restore, Operation.Verify })
        {
            var translated = ErrorTranslation.Translate(original, operation);

            translated.Should().BeOfType<ServerConnectionException>();
            translated.InnerException.Should().BeSameAs(original);
            translated.SqlState.Should().BeNull();
            translated.Message.Should().Contain(original.Message.TrimEnd('.'));
        }
    }

    [Fact]
    public void A_wrapped_socket_error_is_named_in_the_message()
    {
        var original = new NpgsqlException("Exception while reading from stream", new IOException("Connection reset by peer"));

        ErrorTranslation.Translate(original, Operation.Dump).Message.Should().Contain("Exception while reading from stream: Connection reset by peer");
    }

    public static TheoryData<Exception> DamagedArchiveData => new()
    {
        new InvalidDataException("the COPY stream ends without its trailer (truncated)"),
        new JsonException("'}' is invalid after a value. LineNumber: 3"),
        new CryptographicException("Padding is invalid"),
        new AuthenticationTagMismatchException(),
        new EndOfStreamException("Unable to read beyond the end of the stream."),
        GarbledZstdError(),
    };

    [Theory]
    [MemberData(nameof(DamagedArchiveData))]
    public void Damaged_or_unreadable_archive_data_becomes_ArchiveException_whatever_the_operation(Exception original)
    {
        foreach (var operation in new[] { Operation.Dump, Operation.BackupSet, Operation.Restore, Operation.List, Operation.Verify, Operation.Summarize })
        {
            var translated = ErrorTranslation.Translate(original, operation);

            translated.Should().BeOfType<ArchiveException>();
            translated.InnerException.Should().BeSameAs(original);
        }
    }

    /// <summary>What a zstd data file with a flipped byte really throws when it is decompressed.</summary>
    private static Exception GarbledZstdError()
    {
        var compressed = new MemoryStream();
        using (var compressor = new ZstdSharp.CompressionStream(compressed, 1, leaveOpen: true))
            compressor.Write(System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("row of data ", 2000))));
        var bytes = compressed.ToArray();
        for (var i = 4; i < bytes.Length; i += 3)
            bytes[i] ^= 0x5A;
        try
        {
            using var decompressor = new ZstdSharp.DecompressionStream(new MemoryStream(bytes));
            decompressor.CopyTo(Stream.Null);
        }
        catch (Exception exception)
        {
            return exception;
        }
        throw new InvalidOperationException("garbled zstd data decompressed without an error");
    }

    [Theory]
    [InlineData(nameof(Operation.Dump))]
    [InlineData(nameof(Operation.BackupSet))]
    public void File_system_errors_of_operations_that_write_become_OutputPathException(string operationName)
    {
        foreach (var original in new Exception[] { new IOException("No space left on device"), new UnauthorizedAccessException("Access to the path '/backups/x' is denied."), new DirectoryNotFoundException("gone") })
        {
            var translated = ErrorTranslation.Translate(original, Named(operationName));

            translated.Should().BeOfType<OutputPathException>();
            translated.InnerException.Should().BeSameAs(original);
            translated.Message.Should().Contain(original.Message.TrimEnd('.'));
        }
    }

    [Theory]
    [InlineData(nameof(Operation.Restore))]
    [InlineData(nameof(Operation.List))]
    [InlineData(nameof(Operation.Verify))]
    [InlineData(nameof(Operation.Summarize))]
    public void File_system_errors_of_operations_that_read_become_ArchiveException(string operationName)
    {
        foreach (var original in new Exception[] { new IOException("Input/output error"), new UnauthorizedAccessException("Access to the path '/backups/x' is denied."), new FileNotFoundException("missing", "data/1.dat") })
        {
            var translated = ErrorTranslation.Translate(original, Named(operationName));

            translated.Should().BeOfType<ArchiveException>();
            translated.InnerException.Should().BeSameAs(original);
        }
    }

    [Fact]
    public void Anything_else_becomes_a_plain_DumpException_with_its_cause()
    {
        var original = new InvalidOperationException("unexpected state");

        var translated = ErrorTranslation.Translate(original, Operation.Restore);

        translated.GetType().Should().Be<DumpException>();
        translated.InnerException.Should().BeSameAs(original);
        translated.Message.Should().Be("The restore failed: unexpected state.");
    }

    [Fact]
    public void Messages_are_one_line_even_when_the_cause_has_several()
    {
        var original = new PostgresException("syntax error at or near \"x\"\nLINE 1: x\n        ^", "ERROR", "ERROR", PostgresErrorCodes.SyntaxError);

        foreach (var candidate in new Exception[] { original, new IOException("first line\r\nsecond line"), new NpgsqlException("a\nb", new IOException("c\n")) })
            ErrorTranslation.Translate(candidate, Operation.Restore).Message.Should().NotContain("\n").And.NotContain("\r");
    }

    [Fact]
    public void The_type_is_chosen_by_type_not_by_message_text()
    {
        // Texts that a message matcher would misread: a disk error that talks about the server, a server error about files.
        ErrorTranslation.Translate(new IOException("could not connect to server: permission denied"), Operation.Dump).Should().BeOfType<OutputPathException>();
        ErrorTranslation.Translate(new PostgresException("could not open file \"base/1/2\": No such file or directory", "ERROR", "ERROR", PostgresErrorCodes.UndefinedFile), Operation.Restore)
            .GetType().Should().Be<DumpException>();
    }

    [Fact]
    public async Task Running_an_operation_passes_a_DumpException_through_unchanged()
    {
        var original = new TargetNotEmptyException("Cannot restore: the target database is not empty");

        var act = () => ErrorTranslation.RunAsync(Operation.Restore, Task.FromException<int>(original), CancellationToken.None);

        (await act.Should().ThrowAsync<TargetNotEmptyException>()).Which.Should().BeSameAs(original);
    }

    [Fact]
    public async Task Running_an_operation_passes_cancellation_through_unchanged()
    {
        var original = new OperationCanceledException("stopped");

        var act = () => ErrorTranslation.RunAsync(Operation.Dump, Task.FromException<int>(original), CancellationToken.None);

        (await act.Should().ThrowAsync<OperationCanceledException>()).Which.Should().BeSameAs(original);
    }

    [Fact]
    public async Task A_failure_after_the_caller_cancelled_is_reported_as_cancellation_as_before()
    {
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();
        var wrapped = new NpgsqlException("Exception while reading from stream", new IOException("Connection reset by peer"));

        var act = () => ErrorTranslation.RunAsync(Operation.Restore, Task.FromException<int>(wrapped), cancellation.Token);

        var error = (await act.Should().ThrowAsync<OperationCanceledException>()).Which;
        error.InnerException.Should().BeSameAs(wrapped);
        error.CancellationToken.Should().Be(cancellation.Token);
    }

    [Fact]
    public async Task Running_an_operation_translates_what_escapes_it()
    {
        var original = new IOException("No space left on device");

        var act = () => ErrorTranslation.RunAsync(Operation.Dump, Task.FromException<int>(original), CancellationToken.None);

        (await act.Should().ThrowAsync<OutputPathException>()).Which.InnerException.Should().BeSameAs(original);
        (await ErrorTranslation.RunAsync(Operation.Dump, Task.FromResult(42), CancellationToken.None)).Should().Be(42);
    }

    [Fact]
    public void The_server_connection_translation_names_codes_and_keeps_the_sqlstate()
    {
        var builder = new NpgsqlConnectionStringBuilder("Host=db;Username=app;Password=hunter2;Database=factory");

        var translated = Sql.ServerConnection.Translate(new PostgresException("password authentication failed for user \"app\"", "FATAL", "FATAL", PostgresErrorCodes.InvalidPassword), builder);

        translated.SqlState.Should().Be("28P01");
        translated.Message.Should().StartWith("Password authentication failed for app@db").And.NotContain("hunter2");
        Sql.ServerConnection.Translate(new SocketException((int)SocketError.ConnectionRefused), builder).SqlState.Should().BeNull();
    }

    [Fact]
    public void ServerVersionException_carries_both_major_versions()
    {
        var error = new ServerVersionException("the target runs PostgreSQL 15, older than the archive's 17", 17, 15);

        error.ArchiveServerVersion.Should().Be(17);
        error.TargetServerVersion.Should().Be(15);
        error.Should().BeAssignableTo<DumpException>();
    }

    [Fact]
    public void InsufficientPrivilegeException_keeps_its_cause()
    {
        var cause = new PostgresException("permission denied", "ERROR", "ERROR", PostgresErrorCodes.InsufficientPrivilege);

        new InsufficientPrivilegeException("no privilege", cause) { SqlState = cause.SqlState }.InnerException.Should().BeSameAs(cause);
    }
}
