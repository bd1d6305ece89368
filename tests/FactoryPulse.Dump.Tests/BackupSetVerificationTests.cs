using FactoryPulse.Dump.Sets;

namespace FactoryPulse.Dump.Tests;

/// <summary>The restore-check options of a backup set and what its summary says about the verification, without a server.</summary>
public sealed class BackupSetVerificationTests
{
    private static readonly BackupSetOptions ValidSet = new() { ConnectionString = "Host=db", Directory = "/backups" };

    [Fact]
    public void A_scratch_server_named_twice_or_empty_is_refused_before_anything_connects()
    {
        var both = () => (ValidSet with
        {
            RestoreCheckConnectionString = "Host=scratch",
            StartRestoreCheckServer = (_, _) => Task.FromResult(new RestoreCheckServer { Description = "x" }),
        }).Validate();
        both.Should().Throw<ArgumentException>().Which.ParamName.Should().Be(nameof(BackupSetOptions.StartRestoreCheckServer));

        var empty = () => (ValidSet with { RestoreCheckConnectionString = " " }).Validate();
        empty.Should().Throw<ArgumentException>().Which.ParamName.Should().Be(nameof(BackupSetOptions.RestoreCheckConnectionString));

        (ValidSet with { RestoreCheckConnectionString = "Host=scratch" }).Validate();
    }

    [Fact]
    public void The_summary_says_which_level_was_reached_and_lists_warnings_instead_of_none()
    {
        var summary = new ArchiveSummary
        {
            Database = "db",
            Verified = true,
            VerificationLevel = VerificationLevel.Checksums,
            Verification = "checksums verified only: no scratch server to restore into was given",
            SecurityDefinerFunctions = ["public.a", "public.b"],
            StorageBuckets = ["avatars"],
            Warnings = { "1 subscription(s) not dumped" },
        };

        var markdown = summary.ToMarkdown([]);

        markdown.Should().Contain("- Verified: checksums only (structure, sizes, checksums, row counts of the files), not restored\n")
            .And.Contain("- Verification: checksums verified only: no scratch server to restore into was given\n")
            .And.Contain("## SECURITY DEFINER functions\n\n- public.a\n- public.b\n")
            .And.Contain("## Storage buckets\n\n- avatars\n")
            .And.Contain("## Warnings\n\n- 1 subscription(s) not dumped\n")
            .And.NotContain("## Warnings\n\nNone.");

        summary.VerificationLevel = VerificationLevel.Restored;
        summary.ToMarkdown([]).Should().Contain("- Verified: yes, restored\n");
        summary.Verified = false;
        summary.ToMarkdown([]).Should().Contain("- Verified: NO");
        summary.SecurityDefinerFunctions = null;
        summary.StorageBuckets = [];
        summary.ToMarkdown([]).Should().Contain("## SECURITY DEFINER functions\n\nUnknown").And.Contain("## Storage buckets\n\nNone (storage.buckets is empty).");
    }
}
