using FactoryPulse.Dump.Restore;
using FluentAssertions;
using Xunit;

namespace FactoryPulse.Dump.Tests;

/// <summary>The preflight's exception type follows the check that failed, never its message's wording.</summary>
public sealed class PreflightProblemsTests
{
    [Fact]
    public void No_problem_is_no_exception() => new PreflightProblems().ToException().Should().BeNull();

    [Fact]
    public void An_older_target_alone_is_a_server_version_error_carrying_both_versions()
    {
        var problems = new PreflightProblems { ArchiveServerVersion = 170004, TargetServerVersion = 150010 };
        problems.Add(PreflightCheck.ServerVersion, "the target runs PostgreSQL 15, older than the archive's 17; restore into 17 or newer");

        var exception = problems.ToException().Should().BeOfType<ServerVersionException>().Subject;

        exception.ArchiveServerVersion.Should().Be(17, "major versions");
        exception.TargetServerVersion.Should().Be(15);
        exception.Message.Should().StartWith("Cannot restore: the target runs PostgreSQL 15");
    }

    [Fact]
    public void Objects_in_the_way_alone_are_a_target_not_empty_error()
    {
        var problems = new PreflightProblems();
        problems.Add(PreflightCheck.TargetContents, "the target database is not empty (it has schema app); restore into an empty database or pass --clean");

        problems.ToException().Should().BeOfType<TargetNotEmptyException>();
    }

    [Fact]
    public void A_missing_role_worded_like_a_target_problem_is_still_a_plain_error()
    {
        var problems = new PreflightProblems();
        problems.Add(PreflightCheck.Roles, "the target lacks role \"x\"");

        problems.ToException().Should().BeOfType<DumpException>();
    }

    [Fact]
    public void Several_problems_are_listed_together_in_one_error()
    {
        var problems = new PreflightProblems();
        problems.Add(PreflightCheck.TargetContents, "the target database is not empty");
        problems.Add(PreflightCheck.Roles, "role \"r1\" does not exist on the target");

        var exception = problems.ToException().Should().BeOfType<DumpException>().Subject;

        exception.Message.Should().Be("Cannot restore: the target database is not empty; role \"r1\" does not exist on the target. Nothing was changed.");
    }

    [Fact]
    public void Several_problems_with_an_older_target_among_them_are_a_server_version_error_listing_all()
    {
        var problems = new PreflightProblems { ArchiveServerVersion = 150010, TargetServerVersion = 130020 };
        problems.Add(PreflightCheck.ServerVersion, "the target runs PostgreSQL 13");
        problems.Add(PreflightCheck.TargetContents, "the target database is not empty");

        var exception = problems.ToException().Should().BeOfType<ServerVersionException>().Subject;

        exception.Message.Should().Be("Cannot restore: the target runs PostgreSQL 13; the target database is not empty. Nothing was changed.");
        exception.ArchiveServerVersion.Should().Be(15);
        exception.TargetServerVersion.Should().Be(13);
    }
}
