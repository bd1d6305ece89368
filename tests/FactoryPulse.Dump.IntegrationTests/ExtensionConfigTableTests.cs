using FactoryPulse.Dump.IntegrationTests.Oracle;
using FactoryPulse.Dump.IntegrationTests.Support;
using FactoryPulse.Dump.Testing;

namespace FactoryPulse.Dump.IntegrationTests;

/// <summary>
/// An extension's configuration table (pg_extension_config_dump) holds rows the user added next to rows the
/// extension installs itself: the user's rows must survive, the extension's must not be doubled.
/// </summary>
public sealed class ExtensionConfigTableTests : IDisposable
{
    private const string Extension = "fpdump_config_test";

    private readonly string _workDirectory = Directory.CreateTempSubdirectory("fpdump-ext-").FullName;

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);

    /// <summary>Installs a tiny extension into the server's share directory; null when that directory is not ours to write.</summary>
    private static async Task<bool> InstallExtensionAsync(PostgresServer server)
    {
        if (server.Kind != PostgresServerKind.LocalBinaries)
            return false;
        var share = await Db.ScalarAsync<string>(server.ConnectionString, "SELECT setting FROM pg_config WHERE name = 'SHAREDIR'");
        var directory = Path.Combine(share, "extension");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory, Extension + ".control"),
                "comment = 'FactoryPulse.Dump test: a configuration table'\ndefault_version = '1.0'\nrelocatable = false\nschema = public\n");
            await File.WriteAllTextAsync(Path.Combine(directory, Extension + "--1.0.sql"), """
                CREATE TABLE settings (key text PRIMARY KEY, value text, builtin boolean NOT NULL DEFAULT false);
                INSERT INTO settings VALUES ('builtin.version', '1.0', true), ('builtin.mode', 'strict', true);
                SELECT pg_catalog.pg_extension_config_dump('settings', 'WHERE NOT builtin');
                CREATE TABLE audit_targets (name text PRIMARY KEY);
                SELECT pg_catalog.pg_extension_config_dump('audit_targets', '');
                """);
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    [SkippableFact]
    public async Task Rows_users_added_to_an_extension_configuration_table_are_kept_and_builtin_rows_not_doubled()
    {
        var server = await SharedPostgresServer.GetAsync();
        Skip.IfNot(await InstallExtensionAsync(server), "the test server is not one this run started: its share directory is not ours to write");
        var source = await server.CreateDatabaseAsync("ext_config");
        await Db.ExecuteAsync(source, $"""
            CREATE EXTENSION {Extension};
            INSERT INTO public.settings VALUES ('user.theme', 'dark', false), ('user.locale', 'de-CH', false);
            INSERT INTO public.audit_targets VALUES ('projects'), ('documents');
            """);
        var archive = Path.Combine(_workDirectory, "ext");
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source, OutputPath = archive });
        var target = await server.CreateDatabaseAsync("ext_config_target");

        await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive });

        (await Db.ColumnAsync(target, "SELECT key || '=' || value FROM public.settings ORDER BY key"))
            .Should().Equal("builtin.mode=strict", "builtin.version=1.0", "user.locale=de-CH", "user.theme=dark");
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM public.audit_targets")).Should().Be(2);
        var oracle = await DatabaseOracle.CompareAsync(source, target);
        oracle.IsIdentical.Should().BeTrue(oracle.ToString());
    }
}

public sealed class DatabaseSettingsTests : IDisposable
{
    private readonly string _workDirectory = Directory.CreateTempSubdirectory("fpdump-dbset-").FullName;

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);

    private static Task<List<string>> SettingsAsync(string connectionString) => Db.ColumnAsync(connectionString, """
        SELECT coalesce(pg_get_userbyid(NULLIF(s.setrole, 0))::text, '(database)') || ': ' || array_to_string(s.setconfig, '; ')
        FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase AND d.datname = current_database() ORDER BY 1
        """);

    [Fact]
    public async Task Database_settings_and_role_settings_in_the_database_come_along_when_asked_for()
    {
        var server = await SharedPostgresServer.GetAsync();
        var source = await server.CreateDatabaseAsync("dbset");
        await Db.ExecuteAsync(source, """
            DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'fp_settings_role') THEN CREATE ROLE fp_settings_role NOLOGIN; END IF; END $$;
            DO $$ BEGIN
              EXECUTE format('ALTER DATABASE %I SET statement_timeout = %L', current_database(), '5s');
              EXECUTE format('ALTER DATABASE %I SET search_path = public, "My Schema"', current_database());
              EXECUTE format('ALTER ROLE fp_settings_role IN DATABASE %I SET work_mem = %L', current_database(), '8MB');
              EXECUTE format('COMMENT ON DATABASE %I IS %L', current_database(), 'Factory Pulse, it''s ours');
            END $$;
            """);
        var archive = Path.Combine(_workDirectory, "settings");
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source, OutputPath = archive, DatabaseSettings = true });
        var target = await server.CreateDatabaseAsync("dbset_target");

        await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive });

        (await SettingsAsync(target)).Should().Equal(await SettingsAsync(source)).And.HaveCount(2);
        (await Db.ScalarAsync<string>(target, "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()"))
            .Should().Be("Factory Pulse, it's ours");
        var oracle = await DatabaseOracle.CompareAsync(source, target, new OracleOptions { DatabaseProperties = true });
        oracle.IsIdentical.Should().BeTrue(oracle.ToString());
    }
}
