using FactoryPulse.Dump.Catalog;

namespace FactoryPulse.Dump.Tests;

/// <summary>
/// Rows read ahead on a helper connection hold each value as its column type's default CLR type; readers ask for them as
/// they ask the live reader, so the row must hand over the same values (numbers widened or narrowed, nulls as nulls).
/// </summary>
public sealed class CatalogRowTests
{
    private static List<(string Name, string? Schema, int Number, long Big, uint Oid, bool Flag, string[]? Options)> Replay(params object?[][] rows)
    {
        var ordinals = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            ["name"] = 0, ["schema"] = 1, ["number"] = 2, ["big"] = 3, ["oid"] = 4, ["flag"] = 5, ["options"] = 6,
        };
        var seen = new List<(string, string?, int, long, uint, bool, string[]?)>();
        new BufferedRows(ordinals, [.. rows]).ForEach(row => seen.Add((row.String("name"), row.NullableString("schema"), row.Int("number"),
            row.Long("big"), row.Oid("oid"), row.Bool("flag"), row.StringArray("options"))));
        return seen;
    }

    [Fact]
    public void Read_ahead_rows_are_handed_over_in_order_with_their_values()
    {
        var rows = Replay(
            ["t1", "public", 1, 10L, 16384u, true, new[] { "fillfactor=70" }],
            ["t2", null, 2, 20L, 16385u, false, null]);

        rows.Should().HaveCount(2);
        rows[0].Should().Be(("t1", "public", 1, 10L, 16384u, true, rows[0].Options));
        rows[0].Options.Should().Equal("fillfactor=70");
        rows[1].Schema.Should().BeNull();
        rows[1].Options.Should().BeNull();
        rows[1].Big.Should().Be(20L);
    }

    [Fact]
    public void A_smallint_or_integer_column_reads_as_int_and_long_as_the_live_reader_allows()
    {
        var rows = Replay(["t", "s", (short)7, 3, 1u, true, null]);

        rows[0].Number.Should().Be(7);
        rows[0].Big.Should().Be(3L);
    }

    [Fact]
    public void Asking_for_a_column_the_query_does_not_have_names_it()
    {
        var ordinals = new Dictionary<string, int>(StringComparer.Ordinal) { ["oid"] = 0 };
        var act = () => new BufferedRows(ordinals, [[1u]]).ForEach(row => row.String("relname"));

        act.Should().Throw<InvalidOperationException>().WithMessage("*relname*");
    }

    [Fact]
    public void A_null_read_as_a_non_nullable_value_is_an_invalid_cast_as_with_the_live_reader()
    {
        var ordinals = new Dictionary<string, int>(StringComparer.Ordinal) { ["name"] = 0 };
        var act = () => new BufferedRows(ordinals, [[null]]).ForEach(row => row.String("name"));

        act.Should().Throw<InvalidCastException>().WithMessage("*name*");
    }
}
