using System.Globalization;
using FactoryPulse.Dump.IntegrationTests.Support;

namespace FactoryPulse.Dump.IntegrationTests;

/// <summary>
/// A restore into a server older than the archive's is refused before anything runs, with an error that says so by its type
/// (issue 12: today the type is picked by the message's first words and comes out as <see cref="TargetNotEmptyException"/>).
/// Uses the version matrix's servers: 15 (Debian's) and 13 (fetched by .ci/fetch-postgres.sh, cached).
/// </summary>
[Collection(PostgresVersionMatrixCollection.Name)]
public sealed class ServerVersionTests(PostgresVersionServers servers) : IDisposable
{
    private readonly string _workDirectory = Directory.CreateTempSubdirectory("fpdump-version-").FullName;

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);

    [Fact]
    public async Task Restoring_a_PostgreSQL_15_archive_into_PostgreSQL_13_raises_the_server_version_error_and_changes_nothing()
    {
        var newer = await servers.GetAsync(15);
        var older = await servers.GetAsync(13);
        var sourceDb = await newer.Server.CreateDatabaseAsync("version_src");
        await Db.ExecuteAsync(sourceDb, "CREATE TABLE public.readings (id integer PRIMARY KEY, value numeric); INSERT INTO public.readings SELECT g, g * 0.5 FROM generate_series(1, 20) g;");
        var archive = Path.Combine(_workDirectory, "archive");
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = sourceDb, OutputPath = archive });
        var targetDb = await older.Server.CreateDatabaseAsync("version_dst");
        var archiveVersionNumber = int.Parse(await Db.ScalarAsync<string>(sourceDb, "SHOW server_version_num"), CultureInfo.InvariantCulture);
        var targetVersionNumber = int.Parse(await Db.ScalarAsync<string>(targetDb, "SHOW server_version_num"), CultureInfo.InvariantCulture);
        (archiveVersionNumber / 10000).Should().Be(15);
        (targetVersionNumber / 10000).Should().Be(13);

        // Without owners and privileges, so that the version is the only problem: schema public belongs to pg_database_owner from 15
        // on, a role 13 does not have (with default options both problems are listed in one ServerVersionException).
        var act = () => DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = targetDb, InputPath = archive, NoOwner = true, NoPrivileges = true });

        var versionError = (await act.Should().ThrowExactlyAsync<ServerVersionException>()).Which;
        versionError.Should().NotBeAssignableTo<TargetNotEmptyException>();
        versionError.ArchiveServerVersion.Should().Be(15);
        versionError.TargetServerVersion.Should().Be(13);
        versionError.Message.Should().Contain("PostgreSQL 13").And.Contain("older than the archive's 15").And.NotContain("\n");
        (await Db.ScalarAsync<long>(targetDb, "SELECT count(*) FROM pg_class WHERE relname = 'readings'")).Should().Be(0);
    }
}
