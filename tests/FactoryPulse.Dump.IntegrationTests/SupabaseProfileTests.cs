using FactoryPulse.Dump.IntegrationTests.Oracle;
using FactoryPulse.Dump.IntegrationTests.Support;

namespace FactoryPulse.Dump.IntegrationTests;

public sealed class SupabaseProfileTests(FactoryPulseSource source) : IClassFixture<FactoryPulseSource>, IDisposable
{
    private static readonly string[] ManagedSchemas = ["auth", "storage", "extensions"];

    private readonly string _workDirectory = Directory.CreateTempSubdirectory("fpdump-supa-").FullName;

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);

    /// <summary>A fresh Supabase project: the shim's schemas, roles, extensions, publication and default privileges.</summary>
    private async Task<string> FreshProjectAsync(string prefix)
    {
        var target = await source.Server.CreateDatabaseAsync(prefix);
        await FactoryPulseFixture.LoadFilesAsync(target, "supabase_shim.sql");
        return target;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task The_supabase_profile_restores_into_a_fresh_project_with_the_users_objects_and_rows_equal(int jobs)
    {
        var archive = Path.Combine(_workDirectory, $"profile-{jobs}");
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source.ConnectionString, OutputPath = archive, Profile = DumpProfile.Supabase });
        var manifest = await File.ReadAllTextAsync(Path.Combine(archive, "manifest.json"));
        manifest.Should().NotContain("CREATE TABLE auth.users").And.NotContain("CREATE SCHEMA storage").And.NotContain("CREATE PUBLICATION supabase_realtime");
        var target = await FreshProjectAsync($"fresh_project_j{jobs}");

        // The platform's tables already carry their foreign keys: auth.identities must load after auth.users and
        // storage.objects after storage.buckets, also when loads run side by side (issue 14).
        var report = await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, Jobs = jobs });

        report.Errors.Should().BeEmpty();
        var oracle = await DatabaseOracle.CompareAsync(source.ConnectionString, target, new OracleOptions { ExcludeSchemas = ManagedSchemas });
        oracle.IsIdentical.Should().BeTrue(oracle.ToString());
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM storage.buckets")).Should().Be(await Db.ScalarAsync<long>(source.ConnectionString, "SELECT count(*) FROM storage.buckets"));
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM pg_policy WHERE polrelid IN ('storage.objects'::regclass, 'storage.buckets'::regclass)")).Should().Be(8);
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM public.users u JOIN auth.users a ON a.id = u.id")).Should().Be(25);
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM auth.identities i JOIN auth.users a ON a.id = i.user_id")).Should().Be(25);
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'auth.users'::regclass AND NOT tgisinternal")).Should().Be(1, "the user's trigger on auth.users comes along");
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM pg_publication_rel WHERE prpubid = (SELECT oid FROM pg_publication WHERE pubname = 'supabase_realtime')")).Should().Be(2);
    }

    [Fact]
    public async Task Redacted_columns_are_not_in_the_archive_and_the_manifest_says_so()
    {
        var secret = await Db.ScalarAsync<string>(source.ConnectionString, "SELECT encrypted_password FROM auth.users WHERE encrypted_password IS NOT NULL LIMIT 1");
        var phone = await Db.ScalarAsync<string>(source.ConnectionString, "SELECT phone FROM public.users WHERE phone IS NOT NULL LIMIT 1");
        var archive = Path.Combine(_workDirectory, "redacted");
        await DatabaseDumper.DumpAsync(new DumpOptions
        {
            ConnectionString = source.ConnectionString,
            OutputPath = archive,
            Profile = DumpProfile.Supabase,
            RedactSupabaseSecrets = true,
            Redact = ["public.users.phone=+41 00 000 00 00"],
            Compression = DataCompression.None, // so a byte search could find the values if they were there
        });
        var manifest = await File.ReadAllTextAsync(Path.Combine(archive, "manifest.json"));
        manifest.Should().Contain("\"redacted\"").And.Contain("\"encrypted_password\": \"NULL\"");
        foreach (var file in Directory.GetFiles(archive, "*", SearchOption.AllDirectories))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            System.Text.Encoding.UTF8.GetString(bytes).Should().NotContain(secret, file).And.NotContain(phone, file);
        }
        var target = await FreshProjectAsync("redacted");

        await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive });

        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM auth.users WHERE encrypted_password IS NOT NULL")).Should().Be(0);
        (await Db.ColumnAsync(target, "SELECT DISTINCT phone FROM public.users WHERE phone IS NOT NULL")).Should().Equal("+41 00 000 00 00");
    }
}
