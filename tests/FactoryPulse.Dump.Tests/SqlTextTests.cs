using FactoryPulse.Dump.Sql;

namespace FactoryPulse.Dump.Tests;

public sealed class SqlTextTests
{
    // The server's non-unreserved keywords (a sample of pg_get_keywords() WHERE catcode <> 'U').
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal) { "select", "table", "user", "end", "case", "order", "between", "int" };

    [Theory]
    [InlineData("orders", "\"orders\"")]
    [InlineData("Mixed Case", "\"Mixed Case\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("\"", "\"\"\"\"")]
    [InlineData("", "\"\"")]
    [InlineData("it's", "\"it's\"")]
    public void Quoting_an_identifier_always_double_quotes_and_doubles_inner_quotes(string name, string expected)
    {
        SqlText.QuoteIdentifier(name).Should().Be(expected);
    }

    [Theory]
    [InlineData("orders")]
    [InlineData("_private")]
    [InlineData("order_lines2")]
    [InlineData("a")]
    [InlineData("begin")] // unreserved keyword: not in the set, so no quotes (as pg_dump)
    public void Quoting_if_needed_leaves_plain_lower_case_names_alone(string name)
    {
        SqlText.QuoteIdentifierIfNeeded(name, Keywords).Should().Be(name);
    }

    [Theory]
    [InlineData("Orders", "\"Orders\"")]
    [InlineData("ORDERS", "\"ORDERS\"")]
    [InlineData("order lines", "\"order lines\"")]
    [InlineData("order-lines", "\"order-lines\"")]
    [InlineData("a.b", "\"a.b\"")]
    [InlineData("say\"hi", "\"say\"\"hi\"")]
    [InlineData("größe", "\"größe\"")]
    [InlineData("заказы", "\"заказы\"")]
    [InlineData("1st", "\"1st\"")]
    [InlineData("9", "\"9\"")]
    [InlineData("price$", "\"price$\"")]
    [InlineData("", "\"\"")]
    [InlineData(" lead", "\" lead\"")]
    [InlineData("tab\there", "\"tab\there\"")]
    public void Quoting_if_needed_quotes_names_that_would_not_survive_bare(string name, string expected)
    {
        SqlText.QuoteIdentifierIfNeeded(name, Keywords).Should().Be(expected);
    }

    [Theory]
    [InlineData("select")]
    [InlineData("table")]
    [InlineData("user")]
    [InlineData("end")]
    [InlineData("order")]
    public void Quoting_if_needed_quotes_keywords(string name)
    {
        SqlText.QuoteIdentifierIfNeeded(name, Keywords).Should().Be($"\"{name}\"");
    }

    [Fact]
    public void Quoting_if_needed_matches_keywords_exactly()
    {
        // "Select" is quoted for its capital letter, "selection" is a plain name.
        SqlText.QuoteIdentifierIfNeeded("selection", Keywords).Should().Be("selection");
        SqlText.QuoteIdentifierIfNeeded("Select", Keywords).Should().Be("\"Select\"");
    }

    [Fact]
    public void Quoting_if_needed_with_no_keywords_only_looks_at_characters()
    {
        SqlText.QuoteIdentifierIfNeeded("select", new HashSet<string>()).Should().Be("select");
    }

    [Fact]
    public void Quoting_rejects_null_names()
    {
        ((Action)(() => SqlText.QuoteIdentifier(null!))).Should().Throw<ArgumentNullException>();
        ((Action)(() => SqlText.QuoteIdentifierIfNeeded(null!, Keywords))).Should().Throw<ArgumentNullException>();
        ((Action)(() => SqlText.QuoteLiteral(null!))).Should().Throw<ArgumentNullException>();
    }

    [Theory]
    [InlineData("", "''")]
    [InlineData("plain", "'plain'")]
    [InlineData("it's", "'it''s'")]
    [InlineData("''", "''''''")]
    [InlineData("a;b", "'a;b'")]
    [InlineData(@"back\slash", @"'back\slash'")]
    [InlineData("line\nbreak", "'line\nbreak'")]
    [InlineData("$$ dollar $$", "'$$ dollar $$'")]
    [InlineData("ünïcödé 🐘", "'ünïcödé 🐘'")]
    public void Quoting_a_literal_wraps_it_in_single_quotes_and_doubles_inner_ones(string value, string expected)
    {
        SqlText.QuoteLiteral(value).Should().Be(expected);
    }

    [Fact]
    public void Quoting_a_literal_with_a_NUL_character_is_refused()
    {
        var act = () => SqlText.QuoteLiteral("a\0b");

        act.Should().Throw<ArgumentException>().WithMessage("*NUL*");
    }

    [Fact]
    public void Quoting_a_literal_survives_statement_splitting()
    {
        var literal = SqlText.QuoteLiteral("x'; DROP TABLE t; --");

        SqlStatementSplitter.Split($"COMMENT ON TABLE t IS {literal}; SELECT 1;")
            .Should().Equal($"COMMENT ON TABLE t IS {literal};", "SELECT 1;");
    }

    [Fact]
    public void Quoting_a_qualified_name_quotes_both_parts()
    {
        SqlText.QuoteQualified("My Schema", "t\"1").Should().Be("\"My Schema\".\"t\"\"1\"");
        SqlText.QuoteQualified(null, "t").Should().Be("\"t\"");
    }

    [Fact]
    public void Quoting_a_column_list_separates_quoted_names_with_commas()
    {
        SqlText.QuoteColumnList(["id", "Name", "a\"b"]).Should().Be("\"id\", \"Name\", \"a\"\"b\"");
        SqlText.QuoteColumnList([]).Should().BeEmpty();
    }
}
