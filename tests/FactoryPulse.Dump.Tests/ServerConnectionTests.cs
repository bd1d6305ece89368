using FactoryPulse.Dump.Sql;
using Npgsql;

namespace FactoryPulse.Dump.Tests;

public sealed class ServerConnectionTests
{
    private const string Secret = "p@ss:w0rd/s3cret";

    [Fact]
    public void Parsing_a_keyword_string_reads_every_part()
    {
        var builder = ServerConnection.Parse("Host=db.example.com;Port=5433;Username=app;Password=s3cret;Database=factory;SSL Mode=Require;Application Name=nightly");

        builder.Host.Should().Be("db.example.com");
        builder.Port.Should().Be(5433);
        builder.Username.Should().Be("app");
        builder.Password.Should().Be("s3cret");
        builder.Database.Should().Be("factory");
        builder.SslMode.Should().Be(SslMode.Require);
        builder.ApplicationName.Should().Be("nightly");
    }

    [Fact]
    public void Parsing_surrounding_whitespace_is_ignored()
    {
        ServerConnection.Parse("  postgresql://app@db/factory \n").Database.Should().Be("factory");
        ServerConnection.Parse("  Host=db ").Host.Should().Be("db");
    }

    [Fact]
    public void Parsing_an_empty_string_leaves_everything_to_the_environment()
    {
        var builder = ServerConnection.Parse("");

        builder.Host.Should().BeNull();
        builder.Username.Should().BeNull();
        builder.Password.Should().BeNull();
        builder.Database.Should().BeNull();
    }

    [Theory]
    [InlineData("postgres://")]
    [InlineData("postgresql://")]
    [InlineData("POSTGRESQL://")]
    public void Parsing_a_uri_reads_user_percent_encoded_password_host_port_and_database(string scheme)
    {
        var builder = ServerConnection.Parse($"{scheme}app:p%40ss%3Aw0rd%2Fs3cret@db.example.com:5433/factory");

        builder.Username.Should().Be("app");
        builder.Password.Should().Be(Secret);
        builder.Host.Should().Be("db.example.com");
        builder.Port.Should().Be(5433);
        builder.Database.Should().Be("factory");
    }

    [Fact]
    public void Parsing_a_uri_splits_credentials_at_the_last_at_sign()
    {
        var builder = ServerConnection.Parse("postgresql://app:p@ss@db/factory");

        builder.Username.Should().Be("app");
        builder.Password.Should().Be("p@ss");
        builder.Host.Should().Be("db");
    }

    [Fact]
    public void Parsing_a_uri_with_a_user_and_no_password_leaves_the_password_unset()
    {
        var builder = ServerConnection.Parse("postgresql://app@localhost/factory");

        builder.Username.Should().Be("app");
        builder.Password.Should().BeNull();
        builder.Host.Should().Be("localhost");
        builder.Port.Should().Be(5432);
    }

    [Fact]
    public void Parsing_a_uri_decodes_user_and_database_names()
    {
        var builder = ServerConnection.Parse("postgresql://us%20er%40corp@host/my%20db%2Fx");

        builder.Username.Should().Be("us er@corp");
        builder.Database.Should().Be("my db/x");
    }

    [Fact]
    public void Parsing_a_uri_reads_sslmode_and_application_name()
    {
        var builder = ServerConnection.Parse("postgresql://app@db/factory?sslmode=verify-full&application_name=fp%20dump");

        builder.SslMode.Should().Be(SslMode.VerifyFull);
        builder.ApplicationName.Should().Be("fp dump");
    }

    [Theory]
    [InlineData("disable", SslMode.Disable)]
    [InlineData("allow", SslMode.Allow)]
    [InlineData("prefer", SslMode.Prefer)]
    [InlineData("require", SslMode.Require)]
    [InlineData("verify-ca", SslMode.VerifyCA)]
    [InlineData("VERIFY-FULL", SslMode.VerifyFull)]
    public void Parsing_a_uri_understands_every_libpq_sslmode(string value, SslMode expected)
    {
        ServerConnection.Parse($"postgresql://db/x?sslmode={value}").SslMode.Should().Be(expected);
    }

    [Fact]
    public void Parsing_a_uri_with_an_unknown_sslmode_throws()
    {
        var act = () => ServerConnection.Parse("postgresql://db/x?sslmode=sometimes");

        act.Should().Throw<ConnectionStringException>().WithMessage("*sslmode*sometimes*");
    }

    [Fact]
    public void Parsing_a_uri_with_a_bracketed_IPv6_host_and_port_strips_the_brackets()
    {
        var builder = ServerConnection.Parse("postgresql://app@[::1]:5433/factory");

        builder.Host.Should().Be("::1");
        builder.Port.Should().Be(5433);
        builder.Database.Should().Be("factory");
    }

    [Fact]
    public void Parsing_a_uri_with_a_bracketed_IPv6_host_without_port_keeps_the_default_port()
    {
        var builder = ServerConnection.Parse("postgresql://[2001:db8::5]/factory");

        builder.Port.Should().Be(5432);
        builder.Host.Should().Contain("2001:db8::5");
    }

    [Fact]
    public void Parsing_a_uri_with_several_hosts_keeps_them_all()
    {
        var builder = ServerConnection.Parse("postgresql://app@primary:5432,standby:5433/factory");

        builder.Host.Should().Be("primary:5432,standby:5433");
        builder.Database.Should().Be("factory");
    }

    [Fact]
    public void Parsing_a_uri_with_only_a_host_leaves_database_unset()
    {
        var builder = ServerConnection.Parse("postgresql://db.example.com");

        builder.Host.Should().Be("db.example.com");
        builder.Database.Should().BeNull();
    }

    [Fact]
    public void Parsing_a_uri_takes_connection_parameters_from_the_query()
    {
        var builder = ServerConnection.Parse("postgresql:///?host=sock&port=6000&user=u&password=p%26w&dbname=d&connect_timeout=7&options=-c%20search_path%3Dx&sslrootcert=/ca.pem");

        builder.Host.Should().Be("sock");
        builder.Port.Should().Be(6000);
        builder.Username.Should().Be("u");
        builder.Password.Should().Be("p&w");
        builder.Database.Should().Be("d");
        builder.Timeout.Should().Be(7);
        builder.Options.Should().Be("-c search_path=x");
        builder.RootCertificate.Should().Be("/ca.pem");
    }

    [Fact]
    public void Parsing_a_uri_with_an_unknown_parameter_throws_naming_it()
    {
        var act = () => ServerConnection.Parse("postgresql://app@db/factory?sslmode=require&target_session_attrs=any");

        act.Should().Throw<ConnectionStringException>().WithMessage("*target_session_attrs*");
    }

    [Theory]
    [InlineData("Host=localhost;NoSuchKeyword=1")]
    [InlineData("this is not a connection string")]
    [InlineData("Host=localhost;Port=notanumber")]
    public void Parsing_an_invalid_keyword_string_throws_a_connection_string_exception(string connectionString)
    {
        var act = () => ServerConnection.Parse(connectionString);

        act.Should().Throw<ConnectionStringException>().WithMessage("The connection string is not valid*");
    }

    [Fact]
    public void Parsing_an_invalid_keyword_string_does_not_echo_the_password()
    {
        var act = () => ServerConnection.Parse("Host=db;Password=hunter2;Bogus=1");

        act.Should().Throw<ConnectionStringException>().Which.Message.Should().NotContain("hunter2");
    }

    [Fact]
    public void Parsing_a_uri_with_a_non_numeric_port_throws_a_connection_string_exception()
    {
        var port = () => ServerConnection.Parse("postgresql://db/factory?port=abc");
        var timeout = () => ServerConnection.Parse("postgresql://db/factory?connect_timeout=soon");

        port.Should().Throw<ConnectionStringException>();
        timeout.Should().Throw<ConnectionStringException>();
    }

    [Fact]
    public void Describing_a_connection_names_user_host_port_and_database_but_never_the_password()
    {
        var builder = ServerConnection.Parse("postgresql://app:p%40ss%3Aw0rd%2Fs3cret@db.example.com:5433/factory");

        var description = ServerConnection.Describe(builder);

        description.Should().Be("app@db.example.com:5433/factory");
        description.Should().NotContain("s3cret").And.NotContain("w0rd");
    }

    [Fact]
    public void Describing_a_keyword_string_connection_never_shows_the_password()
    {
        var builder = ServerConnection.Parse("Host=db;Username=app;Password=hunter2;Database=x");

        ServerConnection.Describe(builder).Should().Be("app@db:5432/x").And.NotContain("hunter2");
    }

    [Fact]
    public void Translating_a_connection_failure_never_shows_the_password()
    {
        var builder = ServerConnection.Parse("Host=db;Username=app;Password=hunter2;Database=x");

        var timeout = ServerConnection.Translate(new TimeoutException("slow"), builder);
        var other = ServerConnection.Translate(new NpgsqlException("broken"), builder);
        var socket = ServerConnection.Translate(new NpgsqlException("wrapped", new System.Net.Sockets.SocketException(111)), builder);

        foreach (var exception in new[] { timeout, other, socket })
        {
            exception.Should().BeOfType<ServerConnectionException>();
            exception.Message.Should().Contain("app@db:5432/x").And.NotContain("hunter2");
        }
        timeout.Message.Should().Contain("Timed out");
    }
}
