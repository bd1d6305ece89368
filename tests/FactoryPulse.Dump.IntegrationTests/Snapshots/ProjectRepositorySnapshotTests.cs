using FactoryPulse.Dump.IntegrationTests.Support;
using FactoryPulse.Dump.Testing;
using FactoryPulse.Dump.Testing.Snapshots;
using Npgsql;
using static FactoryPulse.Dump.IntegrationTests.Snapshots.SeededState;

namespace FactoryPulse.Dump.IntegrationTests.Snapshots;

/// <summary>Tests of <see cref="ProjectRepository"/> the way a user writes them: each test mutates the seeded database freely and
/// the next one still starts from the seed. Run once with template clones and once with in-place resets.</summary>
public abstract class ProjectRepositorySnapshotTests<TFixture>(TFixture fixture) : IAsyncLifetime
    where TFixture : SnapshotDatabase
{
    private TestDatabase database = null!;

    protected TFixture Fixture { get; } = fixture;

    protected ProjectRepository Repository { get; private set; } = null!;

    protected string ConnectionString => database.ConnectionString;

    public async Task InitializeAsync()
    {
        database = await Fixture.GetDatabaseAsync();
        Repository = new ProjectRepository(database.ConnectionString);
        await ShouldBeSeededAsync(database.ConnectionString, Fixture);
    }

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task Lists_the_seeded_projects_of_an_organization()
    {
        var projects = await Repository.ListByOrganizationAsync(Manufacturer);

        projects.Should().NotBeEmpty();
        projects[0].Code.Should().Be("FP-10001");
        projects.Should().Contain(p => p.Id == BusyProject && p.Messages == 5);
    }

    [Fact]
    public async Task Creating_a_project_takes_the_next_code_from_the_sequence_every_time()
    {
        var (_, first) = await Repository.CreateProjectAsync(Manufacturer, "Snapshot bracket", Admin);
        var (_, second) = await Repository.CreateProjectAsync(Manufacturer, "Snapshot bracket 2", Admin);

        // Same codes in every test, whatever ran before: the sequence was set back.
        first.Should().Be("FP-10020");
        second.Should().Be("FP-10021");
        (await Repository.CountAsync("public.activity_log", "entity_type = 'projects' AND action = 'insert'")).Should().BeGreaterThanOrEqualTo(2);
        (await Repository.CountAsync("public.activity_log", "id > 30")).Should().Be(2, "the identity sequence of activity_log was set back too");
    }

    [Fact]
    public async Task Deleting_a_project_cascades_across_the_projects_approvals_cycle()
    {
        (await Repository.CountAsync("public.approvals", $"project_id = '{BusyProject}'")).Should().Be(3);

        (await Repository.DeleteProjectAsync(BusyProject)).Should().Be(1);

        (await Repository.CountAsync("public.approvals", $"project_id = '{BusyProject}'")).Should().Be(0);
        (await Repository.CountAsync("public.messages", $"project_id = '{BusyProject}'")).Should().Be(0);
        (await Repository.CountAsync("public.activity_log", $"entity_type = 'projects' AND action = 'delete' AND entity_id = '{BusyProject}'")).Should().Be(1);
    }

    [Fact]
    public async Task Approving_writes_an_audit_row_through_the_trigger()
    {
        (await Repository.ApproveAsync(PendingApproval, "looks good")).Should().Be(1);

        (await Repository.CountAsync("public.activity_log", $"entity_id = '{PendingApproval}' AND action = 'status_change'")).Should().Be(1);
        (await Repository.ListByOrganizationAsync(Manufacturer)).Single(p => p.Id == BusyProject).OpenApprovals.Should().Be(0);
    }

    [Fact]
    public async Task Posting_a_message_notifies_the_recipient_through_the_trigger()
    {
        var before = await Repository.CountAsync("public.notifications", $"user_id = '{Manager}'");

        var root = await Repository.PostMessageAsync(CaliperProject, Admin, Manager, "Can we ship Friday?");
        await Repository.PostMessageAsync(CaliperProject, Manager, Admin, "Yes.", parentId: root);

        (await Repository.CountAsync("public.notifications", $"user_id = '{Manager}'")).Should().Be(before + 1);
        (await Repository.CountAsync("public.messages", $"project_id = '{CaliperProject}'")).Should().Be(2);
    }

    [Fact]
    public async Task Deleting_a_thread_root_cascades_through_the_self_reference()
    {
        var root = await Repository.PostMessageAsync(CaliperProject, Admin, Manager, "Thread root");
        for (var i = 0; i < 5; i++)
            await Repository.PostMessageAsync(CaliperProject, Manager, Admin, $"reply {i}", parentId: root);

        (await Repository.DeleteMessageAsync(root)).Should().Be(1);

        (await Repository.CountAsync("public.messages", $"project_id = '{CaliperProject}'")).Should().Be(0);
    }

    [Fact]
    public async Task Moving_a_project_to_another_stage_notifies_and_audits()
    {
        var notifications = await Repository.CountAsync("public.notifications", $"project_id = '{CaliperProject}' AND type = 'stage_change'");
        var audits = await Repository.CountAsync("public.activity_log", $"entity_id = '{CaliperProject}' AND action = 'stage_change'");

        (await Repository.MoveToStageAsync(CaliperProject, QuotingStage)).Should().Be(1);

        (await Repository.CountAsync("public.notifications", $"project_id = '{CaliperProject}' AND type = 'stage_change'")).Should().Be(notifications + 1);
        (await Repository.CountAsync("public.activity_log", $"entity_id = '{CaliperProject}' AND action = 'stage_change'")).Should().Be(audits + 1);
    }

    [Fact]
    public async Task Truncating_every_project_and_the_tables_referencing_them_is_undone()
    {
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("TRUNCATE public.projects CASCADE", connection);
            await command.ExecuteNonQueryAsync();
        }

        (await Repository.ListByOrganizationAsync(Manufacturer)).Should().BeEmpty();
        (await Repository.CountAsync("public.approvals")).Should().Be(0);
    }

    [Fact]
    public async Task A_new_auth_user_gets_a_profile_through_the_auth_trigger()
    {
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                $$"""
                INSERT INTO auth.users (id, email, raw_app_meta_data, raw_user_meta_data, email_confirmed_at)
                VALUES ('99999999-0000-4000-8000-000000000001', 'snap.shot@factorypulse.example',
                        '{"organization_id": "{{Manufacturer}}", "role": "engineering"}', '{"full_name": "Snap Shot"}', now())
                """, connection);
            await command.ExecuteNonQueryAsync();
        }

        (await Repository.CountAsync("public.users", "email = 'snap.shot@factorypulse.example' AND status = 'active'")).Should().Be(1);
    }

    [Fact]
    public async Task Rolled_back_work_leaves_no_trace_and_committed_work_is_undone_for_the_next_test()
    {
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await using var command = new NpgsqlCommand("DELETE FROM public.messages", connection, transaction);
            await command.ExecuteNonQueryAsync();
            await transaction.RollbackAsync();
        }

        await Repository.PostMessageAsync(BusyProject, Admin, Manager, "oracle check");
        await Repository.DeleteProjectAsync(CaliperProject);
        (await Repository.CountAsync("public.messages", $"body = 'oracle check'")).Should().Be(1);
    }
}

public sealed class ProjectRepositoryTemplateSnapshotTests(FactoryPulseTemplateDatabase fixture)
    : ProjectRepositorySnapshotTests<FactoryPulseTemplateDatabase>(fixture), IClassFixture<FactoryPulseTemplateDatabase>
{
    [Fact]
    public async Task A_fresh_clone_matches_a_pristine_copy_under_the_oracle() =>
        await ShouldMatchPristineAsync(ConnectionString, Fixture);

    [Fact]
    public async Task Parallel_clones_are_independent_databases()
    {
        await using var other = await Fixture.GetDatabaseAsync();
        other.DatabaseName.Should().NotBe(Db.DatabaseOf(ConnectionString));

        await Repository.DeleteProjectAsync(BusyProject);

        (await new ProjectRepository(other.ConnectionString).CountAsync("public.projects", $"id = '{BusyProject}'")).Should().Be(1);
    }
}

public sealed class ProjectRepositoryInPlaceSnapshotTests(FactoryPulseInPlaceDatabase fixture)
    : ProjectRepositorySnapshotTests<FactoryPulseInPlaceDatabase>(fixture), IClassFixture<FactoryPulseInPlaceDatabase>
{
    [Fact]
    public async Task Deleting_across_cycles_then_resetting_matches_a_pristine_copy_under_the_oracle()
    {
        await Repository.DeleteProjectAsync(BusyProject);
        await Repository.ApproveAsync(Guid.Parse("cccccccc-0000-4000-8000-000000000008"), "ok");
        await Repository.CreateProjectAsync(Manufacturer, "oracle", Admin);

        var reset = await Fixture.ResetAsync();

        reset.ChangedTables.Should().Contain(["public.projects", "public.approvals", "public.activity_log"]);
        await ShouldMatchPristineAsync(ConnectionString, Fixture);
    }
}
