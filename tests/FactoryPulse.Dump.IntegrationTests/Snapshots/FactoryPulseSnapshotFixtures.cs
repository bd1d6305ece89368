using FactoryPulse.Dump.IntegrationTests.Oracle;
using FactoryPulse.Dump.IntegrationTests.Support;
using FactoryPulse.Dump.Testing;
using FactoryPulse.Dump.Testing.Snapshots;
using Npgsql;

namespace FactoryPulse.Dump.IntegrationTests.Snapshots;

/// <summary>The Factory Pulse fixture, seeded once, a fresh clone per test.</summary>
public sealed class FactoryPulseTemplateDatabase() : SnapshotDatabase(SnapshotStrategy.Template)
{
    protected override string DatabaseNamePrefix => "fp_snap_tpl";

    protected override Task SeedAsync(string connectionString, CancellationToken cancellationToken) =>
        FactoryPulseFixture.LoadAsync(connectionString, cancellationToken);
}

/// <summary>The Factory Pulse fixture, seeded once, one database per test class reset in place before each test.</summary>
public sealed class FactoryPulseInPlaceDatabase() : SnapshotDatabase(SnapshotStrategy.InPlace)
{
    protected override string DatabaseNamePrefix => "fp_snap_inplace";

    protected override Task SeedAsync(string connectionString, CancellationToken cancellationToken) =>
        FactoryPulseFixture.LoadAsync(connectionString, cancellationToken);
}

/// <summary>Seeded-state checks: a cheap fingerprint for every test, the full oracle for a sample.</summary>
internal static class SeededState
{
    public static readonly Guid Manufacturer = Guid.Parse("11111111-0000-4000-8000-000000000001");
    public static readonly Guid Admin = Guid.Parse("22222222-0000-4000-8000-000000000001");
    public static readonly Guid Manager = Guid.Parse("22222222-0000-4000-8000-000000000002");
    public static readonly Guid CaliperProject = Guid.Parse("66666666-0000-4000-8000-000000000001");
    public static readonly Guid BusyProject = Guid.Parse("66666666-0000-4000-8000-000000000003");
    public static readonly Guid PendingApproval = Guid.Parse("cccccccc-0000-4000-8000-000000000005");
    public static readonly Guid QuotingStage = Guid.Parse("44444444-0000-4000-8000-000000000003");

    // Row count + order-free checksum of the tables the tests touch, and the two sequences.
    private const string FingerprintSql = """
        SELECT string_agg(t || ':' || n || ':' || h, ' ' ORDER BY t)
               || ' seq:' || coalesce(pg_sequence_last_value('public.project_code_seq')::text, '-')
               || ' id:' || coalesce(pg_sequence_last_value('public.activity_log_id_seq')::text, '-')
        FROM (
            SELECT 'organizations' t, count(*) n, coalesce(sum(('x' || left(md5(r::text), 16))::bit(64)::bigint::numeric), 0) h FROM public.organizations r
            UNION ALL SELECT 'users', count(*), coalesce(sum(('x' || left(md5(r::text), 16))::bit(64)::bigint::numeric), 0) FROM public.users r
            UNION ALL SELECT 'auth.users', count(*), coalesce(sum(('x' || left(md5(r::text), 16))::bit(64)::bigint::numeric), 0) FROM auth.users r
            UNION ALL SELECT 'projects', count(*), coalesce(sum(('x' || left(md5(r::text), 16))::bit(64)::bigint::numeric), 0) FROM public.projects r
            UNION ALL SELECT 'approvals', count(*), coalesce(sum(('x' || left(md5(r::text), 16))::bit(64)::bigint::numeric), 0) FROM public.approvals r
            UNION ALL SELECT 'documents', count(*), coalesce(sum(('x' || left(md5(r::text), 16))::bit(64)::bigint::numeric), 0) FROM public.documents r
            UNION ALL SELECT 'messages', count(*), coalesce(sum(('x' || left(md5(r::text), 16))::bit(64)::bigint::numeric), 0) FROM public.messages r
            UNION ALL SELECT 'notifications', count(*), coalesce(sum(('x' || left(md5(r::text), 16))::bit(64)::bigint::numeric), 0) FROM public.notifications r
            UNION ALL SELECT 'activity_log', count(*), coalesce(sum(('x' || left(md5(r::text), 16))::bit(64)::bigint::numeric), 0) FROM public.activity_log r
        ) s
        """;

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? expected;

    public static async Task<string> FingerprintAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var tz = new NpgsqlCommand("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET extra_float_digits = 1", connection))
            await tz.ExecuteNonQueryAsync();
        await using var command = new NpgsqlCommand(FingerprintSql, connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Asserts that the database holds exactly the seeded rows and sequence positions.</summary>
    public static async Task ShouldBeSeededAsync(string connectionString, SnapshotDatabase fixture)
    {
        var actual = await FingerprintAsync(connectionString);
        actual.Should().Be(await ExpectedAsync(fixture), "every test starts from the seeded state");
    }

    /// <summary>The full oracle (every table's rows, sequences, large objects) against a pristine clone of the seeded template.</summary>
    public static async Task ShouldMatchPristineAsync(string connectionString, SnapshotDatabase fixture)
    {
        await using var pristine = await fixture.Template.CloneAsync();
        var report = await DatabaseOracle.CompareAsync(
            pristine.ConnectionString, connectionString, new OracleOptions { Schema = false, ExcludeSchemas = ["fpdump_snapshot"] });
        report.IsIdentical.Should().BeTrue(report.ToString());
    }

    private static async Task<string> ExpectedAsync(SnapshotDatabase fixture)
    {
        if (expected is not null)
            return expected;
        await Gate.WaitAsync();
        try
        {
            if (expected is null)
            {
                await using var pristine = await fixture.Template.CloneAsync();
                expected = await FingerprintAsync(pristine.ConnectionString);
            }
            return expected;
        }
        finally
        {
            Gate.Release();
        }
    }
}
