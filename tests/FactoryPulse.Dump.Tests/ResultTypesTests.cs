namespace FactoryPulse.Dump.Tests;

/// <summary>The result types are non-positional records: built with object initializers, compared by value, copied with <c>with</c>.</summary>
public sealed class ResultTypesTests
{
    [Fact]
    public void A_dump_result_is_built_by_name_and_has_no_warnings_unless_given()
    {
        var result = new DumpResult { ArchivePath = "/backups/a", EntryCount = 12, TableCount = 3, RowCount = 550, DataBytes = 4096, Elapsed = TimeSpan.FromSeconds(2) };

        result.Warnings.Should().BeEmpty();
        result.Should().Be(result with { });
        (result with { Warnings = ["role x is missing"] }).Warnings.Should().ContainSingle();
        (result with { RowCount = 551 }).Should().NotBe(result);
    }

    [Fact]
    public void A_restore_report_sums_its_tables_and_defaults_its_lists()
    {
        var report = new RestoreReport
        {
            ObjectsCreated = 9,
            Tables = [new RestoredTable { Table = "shop.customers", Rows = 50 }, new RestoredTable { Table = "shop.orders", Rows = 500 }],
            SequencesSet = 2,
            Elapsed = TimeSpan.FromMilliseconds(300),
        };

        report.TotalRows.Should().Be(550);
        report.Warnings.Should().BeEmpty();
        report.Errors.Should().BeEmpty();
        report.Tables[1].Should().Be(new RestoredTable { Table = "shop.orders", Rows = 500 });
        (report with { Errors = ["entry 7 failed"] }).Errors.Should().Equal("entry 7 failed");
    }

    [Fact]
    public void A_backup_set_result_carries_its_verification()
    {
        var verification = new VerificationReport { Passed = true, Problems = [], FilesChecked = 4, RowsCounted = 550 };

        var set = new BackupSetResult
        {
            CompleteArchive = "/b/x_complete_backup_1",
            SchemaArchive = "/b/x_schema_backup_1",
            DataArchive = "/b/x_data_backup_1",
            SummaryPath = "/b/backup-summary-1.md",
            Verification = verification,
        };

        set.PlainFiles.Should().BeEmpty();
        set.DeletedSets.Should().BeEmpty();
        set.Verification.Should().Be(verification with { });
        (verification with { Passed = false, Problems = ["manifest.json: damaged"] }).Should().NotBe(verification);
    }

    [Fact]
    public void A_progress_report_names_only_what_it_knows()
    {
        var connecting = new DumpProgress { Phase = OperationPhase.Connecting };
        var data = connecting with { Phase = OperationPhase.Data, CurrentObject = "shop.orders", TablesDone = 1, TablesTotal = 2, RowsDone = 500, BytesDone = 8192 };

        connecting.CurrentObject.Should().BeNull();
        connecting.RowsDone.Should().Be(0);
        connecting.EstimatedRows.Should().Be(0);
        data.Should().Be(new DumpProgress { Phase = OperationPhase.Data, CurrentObject = "shop.orders", TablesDone = 1, TablesTotal = 2, RowsDone = 500, BytesDone = 8192 });
    }
}
