using FactoryPulse.Dump.Sql;

namespace FactoryPulse.Dump.Tests;

public sealed class SqlStatementSplitterTests
{
    private static List<string> Split(string sql) => SqlStatementSplitter.Split(sql);

    [Fact]
    public void Splitting_separates_simple_statements_and_trims_them()
    {
        Split("  SELECT 1;\n\nSELECT 2 ;  \n").Should().Equal("SELECT 1;", "SELECT 2 ;");
    }

    [Fact]
    public void Splitting_keeps_a_final_statement_without_semicolon()
    {
        Split("SELECT 1; SELECT 2").Should().Equal("SELECT 1;", "SELECT 2");
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n\t ")]
    [InlineData(";")]
    [InlineData(";;;")]
    [InlineData("-- only a comment")]
    [InlineData("/* only a comment */")]
    [InlineData("/* a */ -- b\n  /* c /* nested */ d */\n")]
    public void Splitting_text_without_statements_gives_nothing(string sql)
    {
        Split(sql).Should().BeEmpty();
    }

    [Fact]
    public void Splitting_rejects_null()
    {
        var act = () => SqlStatementSplitter.Split(null!);

        act.Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void Splitting_skips_empty_statements_between_semicolons()
    {
        Split("SELECT 1;;  ; SELECT 2;").Should().Equal("SELECT 1;", "SELECT 2;");
    }

    [Fact]
    public void Splitting_ignores_semicolons_in_string_literals()
    {
        Split("INSERT INTO t VALUES ('a;b'); SELECT 2;").Should().Equal("INSERT INTO t VALUES ('a;b');", "SELECT 2;");
    }

    [Fact]
    public void Splitting_handles_doubled_quotes_inside_literals()
    {
        Split("SELECT 'it''s; fine'; SELECT 2;").Should().Equal("SELECT 'it''s; fine';", "SELECT 2;");
    }

    [Fact]
    public void Splitting_keeps_a_COMMENT_ON_with_a_semicolon_in_its_text_in_one_statement()
    {
        var sql = "COMMENT ON TABLE public.t IS 'a;b';\nCOMMENT ON COLUMN public.t.c IS 'x'';y';\n";

        Split(sql).Should().Equal("COMMENT ON TABLE public.t IS 'a;b';", "COMMENT ON COLUMN public.t.c IS 'x'';y';");
    }

    [Fact]
    public void Splitting_honours_backslash_escapes_in_E_strings()
    {
        // In E'...' a backslash escapes the quote, so \' does not end the literal.
        var sql = @"SELECT E'it\'s; still the string'; SELECT e'back\\'; SELECT 3;";

        Split(sql).Should().Equal(@"SELECT E'it\'s; still the string';", @"SELECT e'back\\';", "SELECT 3;");
    }

    [Fact]
    public void Splitting_treats_backslashes_in_standard_strings_as_ordinary_characters()
    {
        // With standard_conforming_strings a backslash is just a character: 'C:\' ends at its quote.
        var sql = @"SELECT 'C:\'; SELECT 2;";

        Split(sql).Should().Equal(@"SELECT 'C:\';", "SELECT 2;");
    }

    [Fact]
    public void Splitting_does_not_take_an_identifier_ending_in_e_for_an_E_string_prefix()
    {
        // "name'..." is not E'...': the backslash stays ordinary and the literal ends at the next quote.
        var sql = @"SELECT some_name'\'; SELECT 2;";

        Split(sql).Should().Equal(@"SELECT some_name'\';", "SELECT 2;");
    }

    [Fact]
    public void Splitting_ignores_semicolons_in_double_quoted_identifiers()
    {
        var sql = "CREATE TABLE \"we;ird\"\"name\" (\"col;1\" integer); SELECT 2;";

        Split(sql).Should().Equal("CREATE TABLE \"we;ird\"\"name\" (\"col;1\" integer);", "SELECT 2;");
    }

    [Fact]
    public void Splitting_ignores_quotes_and_semicolons_in_line_comments()
    {
        var sql = "SELECT 1; -- it's; a comment with a ' quote\nSELECT 2;";

        Split(sql).Should().Equal("SELECT 1;", "-- it's; a comment with a ' quote\nSELECT 2;");
    }

    [Fact]
    public void Splitting_ignores_semicolons_in_nested_block_comments()
    {
        var sql = "SELECT /* outer; /* inner; */ still; comment ' */ 1; SELECT 2;";

        Split(sql).Should().Equal("SELECT /* outer; /* inner; */ still; comment ' */ 1;", "SELECT 2;");
    }

    [Fact]
    public void Splitting_drops_trailing_comment_only_text()
    {
        var sql = "SELECT 1;\n-- trailing comment; with semicolon\n/* and a block; */\n";

        Split(sql).Should().Equal("SELECT 1;");
    }

    [Fact]
    public void Splitting_keeps_a_comment_that_precedes_a_statement_with_it()
    {
        Split("-- about t\nCREATE TABLE t (a integer);").Should().Equal("-- about t\nCREATE TABLE t (a integer);");
    }

    [Fact]
    public void Splitting_keeps_a_plpgsql_body_in_dollar_quotes_together()
    {
        var function = """
            CREATE OR REPLACE FUNCTION public.touch()
             RETURNS trigger
             LANGUAGE plpgsql
            AS $function$
            BEGIN
                NEW.updated_at := now();
                IF NEW.note = 'x;y' THEN
                    RAISE NOTICE 'semicolon; inside';
                END IF;
                RETURN NEW;
            END;
            $function$;
            """;
        var sql = function + "\nALTER FUNCTION public.touch() OWNER TO app;\n";

        Split(sql).Should().Equal(function, "ALTER FUNCTION public.touch() OWNER TO app;");
    }

    [Fact]
    public void Splitting_keeps_an_anonymous_dollar_quote_together()
    {
        var sql = "DO $$ BEGIN PERFORM 1; PERFORM 2; END $$; SELECT 3;";

        Split(sql).Should().Equal("DO $$ BEGIN PERFORM 1; PERFORM 2; END $$;", "SELECT 3;");
    }

    [Fact]
    public void Splitting_matches_a_dollar_quote_only_with_its_own_tag()
    {
        // $a$ is the outer quote; $b$ … $b$ and a lone $$ inside it are text.
        var sql = "SELECT $a$ one; $b$ two; $b$ three $$ four; $a$; SELECT 5;";

        Split(sql).Should().Equal("SELECT $a$ one; $b$ two; $b$ three $$ four; $a$;", "SELECT 5;");
    }

    [Fact]
    public void Splitting_allows_quotes_inside_dollar_quotes()
    {
        var sql = "SELECT $q$it's \"odd\"; -- not a comment$q$; SELECT 2;";

        Split(sql).Should().Equal("SELECT $q$it's \"odd\"; -- not a comment$q$;", "SELECT 2;");
    }

    [Fact]
    public void Splitting_does_not_take_a_positional_parameter_for_a_dollar_quote()
    {
        // $1 and $2 are parameters; reading "$1; SELECT $" as a dollar quote would swallow the next statement.
        var sql = "PREPARE p AS SELECT $1 + $2; SELECT 3; SELECT 4;";

        Split(sql).Should().Equal("PREPARE p AS SELECT $1 + $2;", "SELECT 3;", "SELECT 4;");
    }

    [Fact]
    public void Splitting_does_not_take_a_dollar_inside_an_identifier_for_a_dollar_quote()
    {
        var sql = "SELECT a$b$c FROM t; SELECT $x$;$x$;";

        Split(sql).Should().Equal("SELECT a$b$c FROM t;", "SELECT $x$;$x$;");
    }

    [Fact]
    public void Splitting_keeps_a_BEGIN_ATOMIC_body_in_one_statement()
    {
        // pg_get_functiondef output for a SQL-standard function body, plus the ';' the writer appends.
        var function = "CREATE OR REPLACE FUNCTION public.f(a integer)\n RETURNS integer\n LANGUAGE sql\nBEGIN ATOMIC\n SELECT (a + 1);\n SELECT CASE WHEN a > 0 THEN 1 ELSE 2 END;\nEND;";
        var sql = function + "\nALTER FUNCTION public.f(a integer) OWNER TO app;\n";

        Split(sql).Should().Equal(function, "ALTER FUNCTION public.f(a integer) OWNER TO app;");
    }

    [Fact]
    public void Splitting_keeps_a_BEGIN_ATOMIC_procedure_with_nested_CASE_together()
    {
        var procedure = """
            CREATE OR REPLACE PROCEDURE public.p(IN x integer)
             LANGUAGE sql
            BEGIN ATOMIC
             INSERT INTO public.log (v) VALUES (CASE WHEN (x > 0) THEN CASE WHEN (x > 10) THEN 'big' ELSE 'small' END ELSE 'none' END);
             UPDATE public.log SET v = 'x;y' WHERE (v IS NULL);
            END;
            """;
        var sql = "SET search_path = '';\n" + procedure + "\nSELECT 1;";

        Split(sql).Should().Equal("SET search_path = '';", procedure, "SELECT 1;");
    }

    [Fact]
    public void Splitting_keeps_a_lowercase_begin_atomic_body_together()
    {
        var sql = "create function g() returns int language sql begin atomic select 1; select 2; end; select 3;";

        Split(sql).Should().Equal("create function g() returns int language sql begin atomic select 1; select 2; end;", "select 3;");
    }

    [Fact]
    public void Splitting_separates_transaction_control_statements()
    {
        // BEGIN as the first word is a transaction start, not a block.
        var sql = "BEGIN;\nSELECT 1;\nEND;\nBEGIN ISOLATION LEVEL SERIALIZABLE;\nCOMMIT;";

        Split(sql).Should().Equal("BEGIN;", "SELECT 1;", "END;", "BEGIN ISOLATION LEVEL SERIALIZABLE;", "COMMIT;");
    }

    [Fact]
    public void Splitting_separates_statements_after_a_CASE_expression()
    {
        var sql = "SELECT CASE WHEN x THEN 1 ELSE 2 END FROM t; SELECT 2;";

        Split(sql).Should().Equal("SELECT CASE WHEN x THEN 1 ELSE 2 END FROM t;", "SELECT 2;");
    }

    [Fact]
    public void Splitting_ignores_semicolons_inside_parentheses()
    {
        // CREATE RULE … DO INSTEAD ( a; b ) holds several statements in parentheses.
        var sql = "CREATE RULE r AS ON INSERT TO v DO INSTEAD (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2)); SELECT 3;";

        Split(sql).Should().Equal("CREATE RULE r AS ON INSERT TO v DO INSTEAD (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2));", "SELECT 3;");
    }

    [Fact]
    public void Splitting_recovers_from_a_stray_closing_parenthesis()
    {
        Split("SELECT 1); SELECT 2;").Should().Equal("SELECT 1);", "SELECT 2;");
    }

    [Fact]
    public void Splitting_does_not_count_quoted_words_as_BEGIN_or_CASE()
    {
        var sql = "SELECT 'begin', \"case\", $$begin$$ FROM t; SELECT 2;";

        Split(sql).Should().Equal("SELECT 'begin', \"case\", $$begin$$ FROM t;", "SELECT 2;");
    }

    [Fact]
    public void Splitting_a_typical_table_entry_gives_each_statement()
    {
        var sql = """
            CREATE TABLE public.orders (
                id bigint NOT NULL,
                note text COLLATE pg_catalog."C",
                total numeric GENERATED ALWAYS AS ((qty * price)) STORED,
                CONSTRAINT positive CHECK ((qty > 0))
            );
            ALTER TABLE ONLY public.orders ALTER COLUMN note SET STORAGE EXTERNAL;
            COMMENT ON TABLE public.orders IS 'Orders; one per row';
            COMMENT ON COLUMN public.orders.note IS 'free text ''quoted''';
            """;

        var statements = Split(sql);

        statements.Should().HaveCount(4);
        statements[0].Should().StartWith("CREATE TABLE public.orders (").And.EndWith(");");
        statements[1].Should().StartWith("ALTER TABLE ONLY");
        statements[2].Should().Be("COMMENT ON TABLE public.orders IS 'Orders; one per row';");
        statements[3].Should().Be("COMMENT ON COLUMN public.orders.note IS 'free text ''quoted''';");
    }

    [Fact]
    public void Splitting_keeps_unterminated_quotes_to_the_end_as_one_statement()
    {
        // Malformed input must not throw; the server reports the error.
        Split("SELECT 1; SELECT 'open; SELECT 2;").Should().Equal("SELECT 1;", "SELECT 'open; SELECT 2;");
        Split("SELECT 1; SELECT $$open; SELECT 2;").Should().Equal("SELECT 1;", "SELECT $$open; SELECT 2;");
        Split("SELECT 1; /* open; SELECT 2;").Should().Equal("SELECT 1;");
    }

    [Fact]
    public void Splitting_handles_non_ascii_identifiers_and_dollar_tags()
    {
        var sql = "SELECT $día$ a;b $día$ AS größe; SELECT 2;";

        Split(sql).Should().Equal("SELECT $día$ a;b $día$ AS größe;", "SELECT 2;");
    }

    [Fact]
    public void Splitting_handles_windows_line_endings()
    {
        Split("SELECT 1; -- c;\r\nSELECT 2;\r\n").Should().Equal("SELECT 1;", "-- c;\r\nSELECT 2;");
    }

    [Fact]
    public void Splitting_does_not_take_a_column_named_begin_for_a_block()
    {
        var sql = "CREATE TABLE public.shifts (\n    begin timestamp with time zone,\n    \"end\" timestamp with time zone\n);\nCOMMENT ON TABLE public.shifts IS 'x';\n";

        Split(sql).Should().Equal("CREATE TABLE public.shifts (\n    begin timestamp with time zone,\n    \"end\" timestamp with time zone\n);", "COMMENT ON TABLE public.shifts IS 'x';");
    }

    [Fact]
    public void Splitting_does_not_take_begin_in_a_view_or_index_for_a_block()
    {
        var sql = "CREATE VIEW public.v AS\n SELECT s.begin\n   FROM public.shifts s;\nCOMMENT ON VIEW public.v IS 'x';\nCREATE INDEX i ON public.shifts USING btree (begin);\nSELECT 1;";

        Split(sql).Should().HaveCount(4);
    }
}
