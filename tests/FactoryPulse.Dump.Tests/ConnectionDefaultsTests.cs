using FactoryPulse.Dump.Sql;
using Npgsql;

namespace FactoryPulse.Dump.Tests;

/// <summary>
/// libpq's rules for the parts a connection string leaves out, on an injected environment (no process-wide variables,
/// so these run in parallel with everything else).
/// </summary>
public sealed class ConnectionDefaultsTests
{
    private const string PassFile = "/home/someone/.pgpass";

    private const string UserServiceFile = "/home/someone/.pg_service.conf";
    private const string SystemServiceFile = "/etc/postgresql-common/pg_service.conf";

    private static ClientEnvironment Environment(
        Dictionary<string, string>? variables = null, Dictionary<string, string>? files = null, string[]? sockets = null, string osUser = "osuser") => new()
    {
        Variable = name => variables is not null && variables.TryGetValue(name, out var value) ? value : null,
        ReadPasswordFile = path => files is not null && files.TryGetValue(path, out var text) ? text : null,
        FileExists = path => sockets is not null && Array.IndexOf(sockets, path) >= 0,
        DefaultPasswordFile = PassFile,
        ReadServiceFile = path => files is not null && files.TryGetValue(path, out var text) ? text : null,
        DefaultServiceFile = UserServiceFile,
        SystemConfigDirectory = "/etc/postgresql-common",
        OsUser = osUser,
    };

    private static NpgsqlConnectionStringBuilder Resolve(string connectionString, ClientEnvironment environment) =>
        ServerConnection.Resolve(connectionString, environment);

    private static readonly Dictionary<string, string> ServerVariables = new()
    {
        ["PGHOST"] = "db.internal",
        ["PGPORT"] = "55708",
        ["PGUSER"] = "app",
        ["PGPASSWORD"] = "from-env",
        ["PGDATABASE"] = "envdb",
    };

    [Theory]
    [InlineData("Database=shop", "db.internal", 55708, "app", "shop")]
    [InlineData("", "db.internal", 55708, "app", "envdb")]
    [InlineData("postgresql:///shop", "db.internal", 55708, "app", "shop")]
    [InlineData("postgres://", "db.internal", 55708, "app", "envdb")]
    [InlineData("Host=127.0.0.1", "127.0.0.1", 55708, "app", "envdb")]
    [InlineData("Port=6000", "db.internal", 6000, "app", "envdb")]
    [InlineData("Port=5432", "db.internal", 5432, "app", "envdb")]
    [InlineData("postgresql://other:7000/x", "other", 7000, "app", "x")]
    [InlineData("postgresql://127.0.0.1/x", "127.0.0.1", 55708, "app", "x")]
    [InlineData("Host=h;Username=u;Database=d", "h", 55708, "u", "d")]
    [InlineData("postgresql://u@/d?host=/sockets", "/sockets", 55708, "u", "d")]
    public void Every_part_the_string_leaves_out_comes_from_the_PG_variables(string connectionString, string host, int port, string user, string database)
    {
        var resolved = Resolve(connectionString, Environment(ServerVariables));

        resolved.Host.Should().Be(host);
        resolved.Port.Should().Be(port);
        resolved.Username.Should().Be(user);
        resolved.Database.Should().Be(database);
        resolved.Password.Should().Be("from-env");
    }

    [Fact]
    public void What_the_string_gives_wins_over_the_environment()
    {
        var resolved = Resolve("Host=given;Port=5433;Username=me;Password=mine;Database=db;SSL Mode=Disable", Environment(new(ServerVariables) { ["PGSSLMODE"] = "require" }));

        resolved.Host.Should().Be("given");
        resolved.Port.Should().Be(5433);
        resolved.Username.Should().Be("me");
        resolved.Password.Should().Be("mine");
        resolved.Database.Should().Be("db");
        resolved.SslMode.Should().Be(SslMode.Disable);
    }

    [Fact]
    public void PGHOST_may_name_a_socket_directory()
    {
        var resolved = Resolve("Database=shop", Environment(new() { ["PGHOST"] = "/var/run/postgresql" }));

        resolved.Host.Should().Be("/var/run/postgresql");
        resolved.Port.Should().Be(5432);
    }

    [Fact]
    public void PGSSLMODE_applies_when_the_string_names_no_ssl_mode()
    {
        Resolve("Host=h", Environment(new() { ["PGSSLMODE"] = "verify-full" })).SslMode.Should().Be(SslMode.VerifyFull);
    }

    [Fact]
    public void Lists_in_PGHOST_and_PGPORT_pair_up()
    {
        var resolved = Resolve("Database=d", Environment(new() { ["PGHOST"] = "a,b", ["PGPORT"] = "5433,5434" }));

        resolved.Host.Should().Be("a:5433,b:5434");
    }

    [Fact]
    public void Without_anything_the_defaults_are_the_local_socket_port_5432_and_the_os_user_whose_name_the_server_takes_as_the_database()
    {
        var resolved = Resolve("", Environment(sockets: ["/var/run/postgresql/.s.PGSQL.5432"]));

        resolved.Host.Should().Be(OperatingSystem.IsWindows() ? "localhost" : "/var/run/postgresql");
        resolved.Port.Should().Be(5432);
        resolved.Username.Should().Be("osuser");
        // Left to the server, which takes the user name (libpq's default), so maintenance connections can still pick postgres.
        resolved.Database.Should().BeNull();
        resolved.Password.Should().BeNull();
        ServerConnection.Describe(resolved).Should().EndWith("/osuser");
    }

    [Fact]
    public void The_socket_in_tmp_is_found_for_the_resolved_port()
    {
        var resolved = Resolve("Port=6543", Environment(sockets: ["/tmp/.s.PGSQL.6543"]));

        resolved.Host.Should().Be(OperatingSystem.IsWindows() ? "localhost" : "/tmp");
    }

    [Fact]
    public void Without_a_local_socket_the_host_is_localhost()
    {
        Resolve("", Environment()).Host.Should().Be("localhost");
    }

    [Theory]
    [InlineData("PGPORT", "abc")]
    [InlineData("PGPORT", "70000")]
    [InlineData("PGSSLMODE", "sometimes")]
    [InlineData("PGCONNECT_TIMEOUT", "soon")]
    [InlineData("PGSERVICE", "nowhere")]
    public void A_bad_PG_variable_is_a_connection_string_error_naming_it(string variable, string value)
    {
        var act = () => Resolve("Database=x", Environment(new() { [variable] = value }));

        var error = act.Should().Throw<ConnectionStringException>().Which;
        error.EnvironmentVariable.Should().Be(variable);
        error.ParamName.Should().Be("ConnectionString");
        error.Message.Should().Contain(variable).And.Contain(value);
    }

    [Fact]
    public void A_malformed_string_is_a_connection_string_error_that_does_not_echo_the_password()
    {
        var act = () => Resolve("Host=h;Password=hunter2;Bogus", Environment());

        var error = act.Should().Throw<ConnectionStringException>().Which;
        error.Should().BeAssignableTo<ArgumentException>();
        error.Message.Should().NotContain("hunter2");
    }

    [Fact]
    public void Empty_variables_count_as_missing()
    {
        var resolved = Resolve("", Environment(new() { ["PGHOST"] = "", ["PGPORT"] = "", ["PGUSER"] = "" }));

        resolved.Host.Should().Be("localhost");
        resolved.Port.Should().Be(5432);
        resolved.Username.Should().Be("osuser");
    }

    [Theory]
    [InlineData("db.internal:55708:shop:app:exact", "exact")]
    [InlineData("*:*:*:*:any", "any")]
    [InlineData("other:55708:shop:app:no\n*:55708:*:app:port-and-user", "port-and-user")]
    [InlineData("# comment\n\ndb.internal:*:shop:app:after-comment", "after-comment")]
    [InlineData("db.internal:55708:shop:app:with\\:colon\\\\and-backslash", "with:colon\\and-backslash")]
    [InlineData("db.internal:55708:shop:app:first\ndb.internal:55708:shop:app:second", "first")]
    [InlineData("db.internal:55708:shop:app:pw:trailing", "pw")]
    [InlineData("db.internal:55708:shop:app:windows\r\n", "windows")]
    public void The_password_file_gives_the_first_matching_line(string file, string expected)
    {
        var variables = new Dictionary<string, string> { ["PGHOST"] = "db.internal", ["PGPORT"] = "55708", ["PGUSER"] = "app" };

        Resolve("Database=shop", Environment(variables, new() { [PassFile] = file })).Password.Should().Be(expected);
    }

    [Theory]
    [InlineData("other:*:*:*:x")]
    [InlineData("db.internal:5432:*:*:x")]
    [InlineData("*:*:otherdb:*:x")]
    [InlineData("*:*:*:otheruser:x")]
    [InlineData("\\*:*:*:*:x")]
    [InlineData("too:few:fields")]
    public void A_password_file_without_a_matching_line_gives_no_password(string file)
    {
        var variables = new Dictionary<string, string> { ["PGHOST"] = "db.internal", ["PGPORT"] = "55708", ["PGUSER"] = "app" };

        Resolve("Database=shop", Environment(variables, new() { [PassFile] = file })).Password.Should().BeNull();
    }

    [Fact]
    public void PGPASSFILE_replaces_the_default_password_file_and_PGPASSWORD_wins_over_both()
    {
        var files = new Dictionary<string, string> { [PassFile] = "*:*:*:*:default-file", ["/etc/other.pgpass"] = "*:*:*:*:named-file" };

        Resolve("Host=h", Environment(new() { ["PGPASSFILE"] = "/etc/other.pgpass" }, files)).Password.Should().Be("named-file");
        Resolve("Host=h", Environment(new() { ["PGPASSFILE"] = "/etc/other.pgpass", ["PGPASSWORD"] = "env" }, files)).Password.Should().Be("env");
        Resolve("Host=h;Password=given", Environment(new() { ["PGPASSWORD"] = "env" }, files)).Password.Should().Be("given");
    }

    [Fact]
    public void The_password_file_matches_the_database_defaulted_to_the_user_name()
    {
        var files = new Dictionary<string, string> { [PassFile] = "h:5432:app:app:by-default-db" };

        Resolve("Host=h;Username=app", Environment(files: files)).Password.Should().Be("by-default-db");
    }

    [Fact]
    public void A_connection_over_the_default_socket_directory_matches_localhost_in_the_password_file()
    {
        var files = new Dictionary<string, string> { [PassFile] = "localhost:5432:*:app:over-socket" };

        Resolve("Host=/var/run/postgresql;Username=app", Environment(files: files)).Password.Should().Be("over-socket");
    }

    [Fact]
    public void A_port_inside_the_host_is_the_one_the_password_file_matches()
    {
        var files = new Dictionary<string, string> { [PassFile] = "h:7001:*:*:host-port" };

        Resolve("Host=h:7001", Environment(files: files)).Password.Should().Be("host-port");
    }

    [Fact]
    public void The_real_password_file_reader_ignores_a_file_others_can_read_as_libpq_does()
    {
        if (OperatingSystem.IsWindows())
            return;
        var path = Path.Combine(Path.GetTempPath(), $"fpdump-pgpass-{Guid.NewGuid():N}");
        try
        {
            File.WriteAllText(path, "*:*:*:*:secret\n");
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
            ClientEnvironment.Current.ReadPasswordFile(path).Should().BeNull();
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            ClientEnvironment.Current.ReadPasswordFile(path).Should().Be("*:*:*:*:secret\n");
        }
        finally
        {
            File.Delete(path);
        }
    }

    private const string ShopService = """
        # the team's services
        [other]
        host=wrong.host
        port=1

        [shop]
        host=svc.host
        port=6001
        user=svcuser
        dbname=svcdb
        password=svcpw
        application_name=svc-app
        connect_timeout=9

        [after]
        host=wrong.too
        """;

    private static readonly Dictionary<string, string> ServiceAndServerVariables = new(ServerVariables)
    {
        ["PGSERVICE"] = "shop",
        ["PGAPPNAME"] = "env-app",
        ["PGCONNECT_TIMEOUT"] = "30",
    };

    [Theory]
    [InlineData("", "svc.host", 6001, "svcuser", "svcdb", "svcpw")]
    [InlineData("Database=mine", "svc.host", 6001, "svcuser", "mine", "svcpw")]
    [InlineData("Host=h;Port=7000;Username=u;Password=p", "h", 7000, "u", "svcdb", "p")]
    [InlineData("postgresql://other/x", "other", 6001, "svcuser", "x", "svcpw")]
    [InlineData("postgresql:///", "svc.host", 6001, "svcuser", "svcdb", "svcpw")]
    public void The_service_section_PGSERVICE_names_fills_what_the_string_leaves_out_before_the_PG_variables(
        string connectionString, string host, int port, string user, string database, string password)
    {
        var resolved = Resolve(connectionString, Environment(ServiceAndServerVariables, new() { [UserServiceFile] = ShopService }));

        resolved.Host.Should().Be(host);
        resolved.Port.Should().Be(port);
        resolved.Username.Should().Be(user);
        resolved.Database.Should().Be(database);
        resolved.Password.Should().Be(password);
        resolved.ApplicationName.Should().Be("svc-app");
        resolved.Timeout.Should().Be(9);
    }

    [Fact]
    public void What_the_service_leaves_out_comes_from_the_PG_variables()
    {
        var files = new Dictionary<string, string> { [UserServiceFile] = "[shop]\ndbname=svcdb\n" };

        var resolved = Resolve("", Environment(ServiceAndServerVariables, files));

        resolved.Host.Should().Be("db.internal");
        resolved.Port.Should().Be(55708);
        resolved.Username.Should().Be("app");
        resolved.Database.Should().Be("svcdb");
        resolved.Password.Should().Be("from-env");
        resolved.ApplicationName.Should().Be("env-app");
        resolved.Timeout.Should().Be(30);
    }

    [Theory]
    // PGSERVICEFILE names the user's file; without it ~/.pg_service.conf; the system file only when the user's file lacks the section.
    [InlineData("/srv/services.conf", "named-file")]
    [InlineData(null, "home-file")]
    public void PGSERVICEFILE_replaces_the_file_in_the_home_directory(string? serviceFile, string expectedHost)
    {
        var variables = new Dictionary<string, string> { ["PGSERVICE"] = "shop" };
        if (serviceFile is not null)
            variables["PGSERVICEFILE"] = serviceFile;
        var files = new Dictionary<string, string>
        {
            ["/srv/services.conf"] = "[shop]\nhost=named-file\n",
            [UserServiceFile] = "[shop]\nhost=home-file\n",
            [SystemServiceFile] = "[shop]\nhost=system-file\n",
        };

        Resolve("", Environment(variables, files)).Host.Should().Be(expectedHost);
    }

    [Theory]
    [InlineData(null, "/etc/postgresql-common/pg_service.conf")]
    [InlineData("/opt/pg/etc", "/opt/pg/etc/pg_service.conf")]
    public void A_section_missing_from_the_users_file_is_looked_up_in_the_system_file_of_PGSYSCONFDIR(string? sysconfdir, string systemFile)
    {
        var variables = new Dictionary<string, string> { ["PGSERVICE"] = "shop" };
        if (sysconfdir is not null)
            variables["PGSYSCONFDIR"] = sysconfdir;
        var files = new Dictionary<string, string> { [UserServiceFile] = "[other]\nhost=x\n", [systemFile] = "[shop]\nhost=system-file\nport=6002\n" };

        var resolved = Resolve("", Environment(variables, files));

        resolved.Host.Should().Be("system-file");
        resolved.Port.Should().Be(6002);
    }

    [Fact]
    public void A_section_in_the_users_file_hides_the_system_files_section_entirely()
    {
        var files = new Dictionary<string, string> { [UserServiceFile] = "[shop]\nhost=home-file\n", [SystemServiceFile] = "[shop]\nhost=system\nport=6002\n" };

        var resolved = Resolve("", Environment(new() { ["PGSERVICE"] = "shop" }, files));

        resolved.Host.Should().Be("home-file");
        resolved.Port.Should().Be(5432);
    }

    [Theory]
    [InlineData("[shop]\n  host = spaced  \r\n", "spaced")]
    [InlineData("[shop]\nhost=first\nhost=second\n", "first")]
    [InlineData("[shop]\n# host=commented\n\nhost=after-comment\n", "after-comment")]
    [InlineData("[other]\nthis line is not checked\n[shop]\nhost=ours\n", "ours")]
    [InlineData("[shop]\nhost=ours\n[next]\nnot=checked either\n", "ours")]
    [InlineData("[shopping]\nhost=prefix\n[shop]\nhost=exact\n", "exact")]
    public void Only_the_named_sections_keyword_lines_count_and_the_first_value_wins(string file, string expectedHost)
    {
        Resolve("", Environment(new() { ["PGSERVICE"] = "shop" }, new() { [UserServiceFile] = file })).Host.Should().Be(expectedHost);
    }

    [Theory]
    [InlineData("[shop]\nhost\n", "syntax error", "line 2")]
    [InlineData("[shop]\nhost=h\nservice=other\n", "nested service", "line 3")]
    [InlineData("[shop]\nkeepalives_idle=5\n", "unsupported keyword \"keepalives_idle\"", "line 2")]
    [InlineData("[shop]\nport=abc\n", "port in service \"shop\"", "abc")]
    [InlineData("[shop]\nsslmode=sometimes\n", "sslmode in service \"shop\"", "sometimes")]
    [InlineData("[shop]\nconnect_timeout=soon\n", "connect_timeout in service \"shop\"", "soon")]
    [InlineData("[other]\nhost=h\n", "\"shop\"", "is not defined")]
    public void A_bad_or_missing_service_is_a_connection_string_error_naming_PGSERVICE_and_the_place(string file, string what, string where)
    {
        var act = () => Resolve("", Environment(new() { ["PGSERVICE"] = "shop" }, new() { [UserServiceFile] = file }));

        var error = act.Should().Throw<ConnectionStringException>().Which;
        error.EnvironmentVariable.Should().Be("PGSERVICE");
        error.Message.Should().ContainEquivalentOf(what).And.Contain(where);
    }

    [Theory]
    [InlineData("", "app-from-env", "app-from-env")]
    [InlineData("Application Name=given", "app-from-env", "given")]
    [InlineData("postgresql://h/d?application_name=in-uri", "app-from-env", "in-uri")]
    public void PGAPPNAME_names_the_application_unless_the_string_does(string connectionString, string variable, string expected)
    {
        Resolve(connectionString, Environment(new() { ["PGAPPNAME"] = variable })).ApplicationName.Should().Be(expected);
    }

    [Theory]
    [InlineData("", "10", 10)]
    [InlineData("", " 10 ", 10)]
    [InlineData("", "0", 0)]
    [InlineData("", "-5", 0)]
    [InlineData("", "1", 2)]
    [InlineData("", "100000", 1024)]
    [InlineData("Timeout=3", "10", 3)]
    [InlineData("postgresql://h/d?connect_timeout=4", "10", 4)]
    public void PGCONNECT_TIMEOUT_sets_the_connect_timeout_as_libpq_reads_it(string connectionString, string variable, int expected)
    {
        Resolve(connectionString, Environment(new() { ["PGCONNECT_TIMEOUT"] = variable })).Timeout.Should().Be(expected);
    }

    [Fact]
    public void Without_PGCONNECT_TIMEOUT_Npgsqls_default_stays()
    {
        Resolve("", Environment()).Timeout.Should().Be(new NpgsqlConnectionStringBuilder().Timeout);
    }
}
