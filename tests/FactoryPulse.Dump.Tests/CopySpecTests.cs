using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Data;
using FactoryPulse.Dump.Model;
using FactoryPulse.Dump.Sql;

namespace FactoryPulse.Dump.Tests;

/// <summary>The COPY text every caller gets from <see cref="CopySpec"/>, and the settings from <see cref="SessionSettings"/>, pinned to what the dump, restore and plain script sent before they had one owner.</summary>
public sealed class CopySpecTests
{
    private static TocEntry Entry(TableDataInfo data) =>
        new() { DumpId = 3, Section = Section.Data, Pass = RestorePass.Main, Kind = ObjectKind.TableData, Schema = "Shop", Name = "order items", Data = data };

    private static TableDataInfo Data(DataFormat format = DataFormat.Binary, params string[] columns)
    {
        var data = new TableDataInfo { File = "data/3.dat", Format = format, Compression = DataCompression.None };
        foreach (var column in columns)
            data.Columns.Add(new DataColumn { Name = column, Type = "text" });
        return data;
    }

    [Fact]
    public void A_whole_table_is_copied_out_by_name_with_its_columns()
    {
        var data = Data(DataFormat.Binary, "id", "Note");
        CopySpec.ToStdout(Entry(data), data, binary: true).Should().Be("COPY \"Shop\".\"order items\" (\"id\", \"Note\") TO STDOUT (FORMAT binary)");
        CopySpec.ToStdout(Entry(data), data, binary: false).Should().Be("COPY \"Shop\".\"order items\" (\"id\", \"Note\") TO STDOUT");
    }

    [Fact]
    public void A_table_without_columns_takes_no_column_list()
    {
        var data = Data(DataFormat.Text);
        CopySpec.ToStdout(Entry(data), data, binary: false).Should().Be("COPY \"Shop\".\"order items\" TO STDOUT");
        CopySpec.FromStdin(Entry(data), data, freeze: false).Should().Be("COPY \"Shop\".\"order items\" FROM STDIN");
        CopySpec.ScriptFromStdin(Entry(data), data).Should().Be("COPY \"Shop\".\"order items\" FROM stdin;");
    }

    [Fact]
    public void Redacted_columns_and_extension_conditions_are_read_through_a_query()
    {
        var data = Data(DataFormat.Binary, "id", "secret");
        data.Redacted = new Dictionary<string, string> { ["secret"] = "NULL" };
        CopySpec.ToStdout(Entry(data), data, binary: true)
            .Should().Be("COPY (SELECT \"id\", NULL::text AS \"secret\" FROM ONLY \"Shop\".\"order items\" ) TO STDOUT (FORMAT binary)");
        var config = Data(DataFormat.Text, "id");
        config.Condition = "WHERE NOT builtin";
        CopySpec.ToStdout(Entry(config), config, binary: false).Should().Be("COPY (SELECT \"id\" FROM ONLY \"Shop\".\"order items\" WHERE NOT builtin) TO STDOUT");
    }

    [Fact]
    public void A_chunk_is_a_ctid_block_range_and_the_last_one_is_open()
    {
        var data = Data(DataFormat.Binary, "id");
        CopySpec.ToStdout(Entry(data), data, binary: true, 0, 128)
            .Should().Be("COPY (SELECT \"id\" FROM ONLY \"Shop\".\"order items\" WHERE ctid >= '(0,0)'::pg_catalog.tid AND ctid < '(128,0)'::pg_catalog.tid) TO STDOUT (FORMAT binary)");
        CopySpec.ToStdout(Entry(data), data, binary: true, 128, null)
            .Should().Be("COPY (SELECT \"id\" FROM ONLY \"Shop\".\"order items\" WHERE ctid >= '(128,0)'::pg_catalog.tid) TO STDOUT (FORMAT binary)");
    }

    [Fact]
    public void The_restore_loads_in_the_data_format_and_freezes_tables_it_created()
    {
        var binary = Data(DataFormat.Binary, "id");
        CopySpec.FromStdin(Entry(binary), binary, freeze: true).Should().Be("COPY \"Shop\".\"order items\" (\"id\") FROM STDIN (FORMAT binary, FREEZE)");
        CopySpec.FromStdin(Entry(binary), binary, freeze: false).Should().Be("COPY \"Shop\".\"order items\" (\"id\") FROM STDIN (FORMAT binary)");
        var text = Data(DataFormat.Text, "id");
        CopySpec.FromStdin(Entry(text), text, freeze: true).Should().Be("COPY \"Shop\".\"order items\" (\"id\") FROM STDIN (FREEZE)");
    }

    [Fact]
    public void The_restore_runs_the_dump_settings_and_the_script_header_sets_them_one_a_line()
    {
        SessionSettings.Dump.Should().Be(
            "SET statement_timeout = 0; SET lock_timeout = 0; SET idle_in_transaction_session_timeout = 0; " +
            "SET client_encoding = 'UTF8'; SET standard_conforming_strings = on; SET DateStyle = ISO; SET IntervalStyle = postgres; " +
            "SET extra_float_digits = 3; SET row_security = off; SELECT pg_catalog.set_config('search_path', '', false)");
        SessionSettings.Restore.Should().Be(SessionSettings.Dump + "; SET check_function_bodies = false; SET xmloption = content; SET client_min_messages = warning");
        SessionSettings.ScriptHeader.Should().Be(
            "SET statement_timeout = 0;\nSET lock_timeout = 0;\nSET idle_in_transaction_session_timeout = 0;\nSET client_encoding = 'UTF8';\n" +
            "SET standard_conforming_strings = on;\nSELECT pg_catalog.set_config('search_path', '', false);\nSET check_function_bodies = false;\n" +
            "SET xmloption = content;\nSET client_min_messages = warning;\nSET row_security = off;\n");
    }
}
