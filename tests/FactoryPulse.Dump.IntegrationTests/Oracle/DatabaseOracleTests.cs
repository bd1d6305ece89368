using FactoryPulse.Dump.Testing;
using Npgsql;

namespace FactoryPulse.Dump.IntegrationTests.Oracle;

/// <summary>
/// The oracle is only worth something if it can fail: every test below changes one thing in the target
/// and checks that the report names exactly that object.
/// </summary>
public sealed class DatabaseOracleTests
{
    // Both databases start from this; the tests then change the target only.
    private const string Fixture = """
        CREATE TABLE public.widgets (
            id integer PRIMARY KEY,
            owner_name text NOT NULL,
            price numeric(10,2),
            created timestamptz DEFAULT '2024-01-01 00:00:00+00'
        );
        CREATE INDEX widgets_owner_idx ON public.widgets (owner_name);
        ALTER TABLE public.widgets ENABLE ROW LEVEL SECURITY;
        CREATE POLICY widgets_owner ON public.widgets USING (owner_name = current_user);
        GRANT SELECT ON public.widgets TO PUBLIC;
        CREATE SEQUENCE public.ticket_seq;
        SELECT setval('public.ticket_seq', 41);
        INSERT INTO public.widgets (id, owner_name, price) VALUES (1, 'alice', 9.99), (2, 'bob', 19.50), (3, 'carol', NULL);
        CREATE TABLE public.empty_things (note text);
        CREATE MATERIALIZED VIEW public.widget_totals AS
            SELECT owner_name, sum(price) AS total FROM public.widgets GROUP BY owner_name;
        CREATE MATERIALIZED VIEW public.widget_names AS SELECT owner_name FROM public.widgets WITH NO DATA;
        SELECT lo_from_bytea(424242, 'large object payload');
        COMMENT ON LARGE OBJECT 424242 IS 'a comment';
        """;

    [Fact]
    public async Task Identically_created_databases_compare_identical()
    {
        var report = await CompareAfterAsync(targetChange: null);

        report.IsIdentical.Should().BeTrue(report.ToString());
        report.Matched.Should().Be(report.Total);
        report.Total.Should().BeGreaterThan(10, "schema objects, 4 tables/matviews, 1 sequence and 1 large object are counted");
        report.ScoreLines.Should().Contain("tables with identical data: 4/4")
            .And.Contain("sequences matched: 1/1")
            .And.Contain("large objects matched: 1/1");
    }

    [Fact]
    public async Task Row_order_does_not_matter()
    {
        var report = await CompareAfterAsync("""
            DELETE FROM public.widgets WHERE id = 1;
            INSERT INTO public.widgets (id, owner_name, price) VALUES (1, 'alice', 9.99);
            """);

        report.IsIdentical.Should().BeTrue(report.ToString());
    }

    [Fact]
    public async Task Changed_row_is_reported_with_table_and_column()
    {
        var report = await CompareAfterAsync("UPDATE public.widgets SET price = 10.99 WHERE id = 1;");

        report.IsIdentical.Should().BeFalse();
        report.Differences.Should().ContainSingle().Which.Should()
            .Be("DIFFERS: table public.widgets (same row count 3, different content; columns differing: price)");
        report.Matched.Should().Be(report.Total - 1);
    }

    [Fact]
    public async Task Missing_row_is_reported_with_counts()
    {
        var report = await CompareAfterAsync("DELETE FROM public.widgets WHERE id = 3;");

        report.Differences.Should().ContainSingle().Which.Should().Be("DIFFERS: table public.widgets (rows src=3 dst=2)");
    }

    [Fact]
    public async Task Missing_index_is_reported()
    {
        var report = await CompareAfterAsync("DROP INDEX public.widgets_owner_idx;");

        report.Differences.Should().ContainSingle().Which.Should()
            .Be("MISSING in target: Name: widgets_owner_idx; Type: INDEX; Schema: public");
    }

    [Fact]
    public async Task Changed_grant_is_reported_with_a_diff()
    {
        var report = await CompareAfterAsync("GRANT INSERT ON public.widgets TO PUBLIC;");

        var difference = report.Differences.Should().ContainSingle().Subject;
        difference.Should().StartWith("DIFFERS: Name: TABLE widgets; Type: ACL; Schema: public\n");
        difference.Should().Contain("-GRANT SELECT ON TABLE public.widgets TO PUBLIC;")
            .And.Contain("+GRANT SELECT,INSERT ON TABLE public.widgets TO PUBLIC;");
    }

    [Fact]
    public async Task Grant_order_does_not_matter()
    {
        // ACL bodies are sorted: granting in another order reorders aclitems but not the privileges
        var report = await CompareAfterAsync(
            targetChange: """
                REVOKE SELECT ON public.widgets FROM PUBLIC;
                GRANT SELECT ON public.widgets TO pg_monitor;
                GRANT SELECT ON public.widgets TO PUBLIC;
                """,
            sourceChange: "GRANT SELECT ON public.widgets TO pg_monitor;");

        report.IsIdentical.Should().BeTrue(report.ToString());
    }

    [Fact]
    public async Task Changed_sequence_value_is_reported()
    {
        var report = await CompareAfterAsync("SELECT setval('public.ticket_seq', 99, false);");

        report.Differences.Should().ContainSingle().Which.Should()
            .Be("DIFFERS: sequence public.ticket_seq (src 41/true, dst 99/false)");
    }

    [Fact]
    public async Task Dropped_policy_is_reported()
    {
        var report = await CompareAfterAsync("DROP POLICY widgets_owner ON public.widgets;");

        report.Differences.Should().ContainSingle().Which.Should()
            .Be("MISSING in target: Name: widgets widgets_owner; Type: POLICY; Schema: public");
    }

    [Fact]
    public async Task Extra_table_in_target_is_reported_as_schema_only()
    {
        var report = await CompareAfterAsync("CREATE TABLE public.stray (id integer);");

        report.Differences.Should().ContainSingle().Which.Should()
            .Be("EXTRA in target: Name: stray; Type: TABLE; Schema: public");
        report.ScoreLines.Should().Contain("tables with identical data: 4/4", "the source decides which tables are read");
    }

    [Fact]
    public async Task Populated_matview_that_should_be_unpopulated_is_reported()
    {
        var report = await CompareAfterAsync("REFRESH MATERIALIZED VIEW public.widget_names;");

        report.Differences.Should().Contain(
            "DIFFERS: materialized view public.widget_names (materialized view should be unpopulated (or is missing))");
    }

    [Fact]
    public async Task Changed_large_object_is_reported()
    {
        var report = await CompareAfterAsync("""
            SELECT lo_put(424242, 0, 'LARGE');
            COMMENT ON LARGE OBJECT 424242 IS 'another comment';
            """);

        report.Differences.Should().ContainSingle().Which.Should().Be("DIFFERS: large object 424242 (content comment)");
        report.Notes.Should().ContainSingle().Which.Should().Contain("contents present in target under any oid: 0/1");
    }

    [Fact]
    public async Task Excluded_schema_is_ignored_on_both_sides()
    {
        var options = new OracleOptions { ExcludeSchemas = ["Scratch Space"] };
        var report = await CompareAfterAsync("""
            CREATE SCHEMA "Scratch Space";
            CREATE TABLE "Scratch Space".junk (id integer);
            CREATE SEQUENCE "Scratch Space".junk_seq;
            """, options);

        report.IsIdentical.Should().BeTrue(report.ToString());
    }

    [Fact]
    public async Task Data_only_does_not_see_schema_changes()
    {
        var report = await CompareAfterAsync("DROP INDEX public.widgets_owner_idx;", new OracleOptions { Schema = false });

        report.IsIdentical.Should().BeTrue(report.ToString());
        report.ScoreLines.Should().HaveCount(3);
    }

    [Fact]
    public async Task Schema_dump_of_a_missing_database_throws_with_pg_dump_stderr()
    {
        var server = await SharedPostgresServer.GetAsync();
        var connectionString = await server.CreateDatabaseAsync("oracle_gone");
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        await server.DropDatabaseAsync(database);

        var dump = () => DatabaseOracle.SchemaDumpAsync(connectionString);

        (await dump.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should().Contain("pg_dump").And.Contain(database);
    }

    [Fact]
    public async Task Schema_dump_returns_pg_dump_text()
    {
        var server = await SharedPostgresServer.GetAsync();
        var connectionString = await server.CreateDatabaseAsync("oracle_dump");
        try
        {
            await ExecuteAsync(connectionString, Fixture);
            var dump = await DatabaseOracle.SchemaDumpAsync(connectionString);
            dump.Should().Contain("CREATE TABLE public.widgets (").And.Contain("CREATE POLICY widgets_owner ON public.widgets");
        }
        finally
        {
            await server.DropDatabaseAsync(new NpgsqlConnectionStringBuilder(connectionString).Database!);
        }
    }

    // ---- strictness: each of these differences was invisible before (issue 15, "oracle blind spots") ----

    [SkippableFact]
    public async Task Table_in_another_tablespace_is_reported()
    {
        var server = await SharedPostgresServer.GetAsync();
        Skip.If(server.Kind != PostgresServerKind.LocalBinaries, "creates a cluster-wide tablespace: only on a server this run started");
        var tablespace = await CreateInPlaceTablespaceAsync(server, "oracle_ts");
        try
        {
            var report = await CompareAfterAsync($"ALTER TABLE public.empty_things SET TABLESPACE {tablespace};");

            var difference = report.Differences.Should().ContainSingle().Subject;
            difference.Should().StartWith("DIFFERS: Name: empty_things; Type: TABLE; Schema: public\n")
                .And.Contain("-SET default_tablespace = '';").And.Contain($"+SET default_tablespace = {tablespace};");
        }
        finally
        {
            await DropTablespaceAsync(server, tablespace);
        }
    }

    [Fact]
    public async Task Table_with_another_access_method_is_reported()
    {
        const string accessMethod = "CREATE ACCESS METHOD heap_copy TYPE TABLE HANDLER heap_tableam_handler;";
        var report = await CompareAfterAsync(
            targetChange: accessMethod + "ALTER TABLE public.empty_things SET ACCESS METHOD heap_copy;",
            sourceChange: accessMethod);

        var difference = report.Differences.Should().ContainSingle().Subject;
        difference.Should().StartWith("DIFFERS: Name: empty_things; Type: TABLE; Schema: public\n")
            .And.Contain("-SET default_table_access_method = heap;").And.Contain("+SET default_table_access_method = heap_copy;");
    }

    [Theory]
    [InlineData("a blank line", "SELECT 1;\n\nSELECT length('two\n');")]
    [InlineData("a trailing space", "SELECT 1; \nSELECT length('two\n');")]
    [InlineData("a trailing space inside a literal", "SELECT 1;\nSELECT length('two \n');")]
    public async Task Function_body_differing_only_by_whitespace_is_reported(string what, string targetBody)
    {
        static string Function(string body) => $"CREATE FUNCTION public.two() RETURNS integer LANGUAGE sql AS $body$\n{body}\n$body$;";

        var report = await CompareAfterAsync(targetChange: Function(targetBody), sourceChange: Function("SELECT 1;\nSELECT length('two\n');"));

        report.Differences.Should().ContainSingle(what).Which.Should().StartWith("DIFFERS: Name: two(); Type: FUNCTION; Schema: public\n");
    }

    [Fact]
    public async Task Grant_by_another_grantor_is_reported()
    {
        // Both sides end with one grant by oracle_grantor and one by the owner; sorting lines instead of units would pair each
        // GRANT with whichever SET SESSION AUTHORIZATION sorts next to it and see the same text.
        const string roles = """
            DO $$ BEGIN
              IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'oracle_grantor') THEN CREATE ROLE oracle_grantor NOLOGIN; END IF;
              IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'oracle_grantee') THEN CREATE ROLE oracle_grantee NOLOGIN; END IF;
            END $$;
            GRANT SELECT, INSERT ON public.widgets TO oracle_grantor WITH GRANT OPTION;
            """;
        static string Grants(string byGrantor, string byOwner) => $"""
            SET ROLE oracle_grantor;
            GRANT {byGrantor} ON public.widgets TO oracle_grantee;
            RESET ROLE;
            GRANT {byOwner} ON public.widgets TO oracle_grantee;
            """;

        var report = await CompareAfterAsync(targetChange: roles + Grants("INSERT", "SELECT"), sourceChange: roles + Grants("SELECT", "INSERT"));

        var difference = report.Differences.Should().ContainSingle().Subject;
        difference.Should().StartWith("DIFFERS: Name: TABLE widgets; Type: ACL; Schema: public\n");
    }

    [Fact]
    public async Task Identically_created_databases_have_the_same_database_properties()
    {
        var report = await CompareAfterAsync(targetChange: null, new OracleOptions { DatabaseProperties = true });

        report.IsIdentical.Should().BeTrue(report.ToString());
        report.ScoreLines.Should().Contain(line => line.StartsWith("database properties matched: ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("settings", "ALTER DATABASE %I SET work_mem = '8MB'")]
    [InlineData("settings", "ALTER ROLE oracle_settings_role IN DATABASE %I SET work_mem = '8MB'")]
    [InlineData("comment", "COMMENT ON DATABASE %I IS 'ours'")]
    [InlineData("acl", "REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC")]
    [InlineData("connection limit", "ALTER DATABASE %I CONNECTION LIMIT 7")]
    public async Task Changed_database_property_is_reported(string property, string statement)
    {
        var change = $"""
            DO $$ BEGIN
              IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'oracle_settings_role') THEN CREATE ROLE oracle_settings_role NOLOGIN; END IF;
              EXECUTE format('{statement.Replace("'", "''", StringComparison.Ordinal)}', current_database());
            END $$;
            """;

        var report = await CompareAfterAsync(change, new OracleOptions { DatabaseProperties = true });

        report.Differences.Should().ContainSingle().Which.Should().StartWith($"DIFFERS: database {property} (");
        var withoutOption = await CompareAfterAsync(change);
        withoutOption.IsIdentical.Should().BeTrue("database properties are compared only when asked for");
    }

    [SkippableFact]
    public async Task Row_added_to_an_extension_configuration_table_is_reported()
    {
        var server = await SharedPostgresServer.GetAsync();
        Skip.IfNot(await InstallConfigExtensionAsync(server), "the test server is not one this run started: its share directory is not ours to write");

        var report = await CompareAfterAsync(
            targetChange: $"CREATE EXTENSION {ConfigExtension};",
            sourceChange: $"CREATE EXTENSION {ConfigExtension}; INSERT INTO public.oracle_config VALUES ('user.key', false);");

        report.Differences.Should().ContainSingle().Which.Should().Be("DIFFERS: table public.oracle_config (rows src=2 dst=1)");
    }

    // ---- pure unit tests of the ported normalizer / comparison (no server needed) ----

    private const string SampleDump = """
        --
        -- PostgreSQL database dump
        --

        \restrict AbCdEf123

        -- Dumped from database version 15.18
        -- Dumped by pg_dump version 15.18

        SET statement_timeout = 0;
        SET client_encoding = 'UTF8';

        SET default_tablespace = '';

        SET default_table_access_method = heap;

        --
        -- Name: widgets; Type: TABLE; Schema: public; Owner: postgres
        --

        CREATE TABLE public.widgets (
            id integer NOT NULL
        );


        --
        -- Name: v; Type: VIEW; Schema: public; Owner:
        --

        CREATE VIEW public.v AS
         SELECT x FROM ( VALUES (1)) t(x);

        --
        -- Name: TABLE widgets; Type: ACL; Schema: public; Owner: postgres
        --

        GRANT SELECT ON TABLE public.widgets TO reader;
        GRANT ALL ON TABLE public.widgets TO admin;

        --
        -- PostgreSQL database dump complete
        --

        \unrestrict AbCdEf123

        """;

    [Fact]
    public void Normalizer_makes_one_record_per_toc_entry()
    {
        var records = SchemaNormalizer.Normalize(SampleDump.Replace("\r\n", "\n", StringComparison.Ordinal));

        records.Should().Equal(
            "Name: widgets; Type: TABLE; Schema: public\u001fpostgres\u001fSET default_tablespace = '';\u001eSET default_table_access_method = heap;\u001e"
            + "CREATE TABLE public.widgets (\u001e    id integer NOT NULL\u001e);",
            "Name: v; Type: VIEW; Schema: public\u001f\u001fCREATE VIEW public.v AS\u001e SELECT x FROM (VALUES (1)) t(x);",
            "Name: TABLE widgets; Type: ACL; Schema: public\u001fpostgres\u001fGRANT ALL ON TABLE public.widgets TO admin;\u001eGRANT SELECT ON TABLE public.widgets TO reader;");
    }

    [Fact]
    public void Normalizer_sorts_default_acl_bodies_but_not_others()
    {
        var dump = "-- Name: DEFAULT PRIVILEGES FOR TABLES; Type: DEFAULT ACL; Schema: public; Owner: postgres\nB\nA \t\r\n"
                   + "-- Name: f(); Type: FUNCTION; Schema: public; Owner: postgres\r\nB\n \t\nA";

        // a CR ends up in the owner (awk splits on \n only); inside a body every character is kept
        SchemaNormalizer.Normalize(dump).Should().Equal(
            "Name: DEFAULT PRIVILEGES FOR TABLES; Type: DEFAULT ACL; Schema: public\u001fpostgres\u001fA \t\r\u001eB",
            "Name: f(); Type: FUNCTION; Schema: public\u001fpostgres\r\u001fB\u001e \t\u001eA");
    }

    [Fact]
    public void Normalizer_keeps_blank_lines_and_trailing_blanks_inside_a_record_and_drops_the_structure_around_it()
    {
        var dump = string.Join('\n',
            "SET row_security = off;", "", "--", "-- Name: f(); Type: FUNCTION; Schema: public; Owner: postgres", "--", "",
            "CREATE FUNCTION public.f() RETURNS integer", "    LANGUAGE sql", "    AS $$", "SELECT 1   ", "", "-- Dumped from nowhere", "--", "$$;",
            "", "", "ALTER FUNCTION public.f() OWNER TO postgres;", "", "--", "-- PostgreSQL database dump complete", "--", "",
            "\\unrestrict abc", "");

        SchemaNormalizer.Normalize(dump).Should().Equal(
            "Name: f(); Type: FUNCTION; Schema: public\u001fpostgres\u001fCREATE FUNCTION public.f() RETURNS integer\u001e    LANGUAGE sql"
            + "\u001e    AS $$\u001eSELECT 1   \u001e\u001e-- Dumped from nowhere\u001e--\u001e$$;\u001e\u001e\u001eALTER FUNCTION public.f() OWNER TO postgres;");
    }

    [Fact]
    public void Normalizer_gives_the_tablespace_and_access_method_in_effect_to_the_entries_pg_dump_selects_them_for()
    {
        var dump = string.Join('\n',
            "SET default_tablespace = ts1;", "", "SET default_table_access_method = heap;", "",
            "--", "-- Name: p; Type: TABLE; Schema: public; Owner: o; Tablespace: ts1", "--", "", "CREATE TABLE public.p (", "    id integer", ")",
            "PARTITION BY RANGE (id);", "", "",
            "SET default_tablespace = '';", "",
            "--", "-- Name: t; Type: TABLE; Schema: public; Owner: o", "--", "", "CREATE TABLE public.t (", "    id integer", ");", "", "",
            "--", "-- Name: t c; Type: CHECK CONSTRAINT; Schema: public; Owner: o", "--", "", "ALTER TABLE public.t", "    ADD CONSTRAINT c CHECK ((id > 0)) NOT VALID;", "", "",
            "SET default_tablespace = \"Space\";", "",
            "--", "-- Name: t t_pkey; Type: CONSTRAINT; Schema: public; Owner: o; Tablespace: Space", "--", "", "ALTER TABLE ONLY public.t",
            "    ADD CONSTRAINT t_pkey PRIMARY KEY (id);", "", "",
            "--", "-- Name: t_i; Type: INDEX; Schema: public; Owner: o; Tablespace: Space", "--", "", "CREATE INDEX t_i ON public.t USING btree (id);", "");

        SchemaNormalizer.Normalize(dump).Should().Equal(
            "Name: p; Type: TABLE; Schema: public\u001fo; Tablespace: ts1\u001fSET default_tablespace = ts1;\u001eCREATE TABLE public.p (\u001e    id integer\u001e)\u001ePARTITION BY RANGE (id);",
            "Name: t; Type: TABLE; Schema: public\u001fo\u001fSET default_tablespace = '';\u001eSET default_table_access_method = heap;\u001eCREATE TABLE public.t (\u001e    id integer\u001e);",
            "Name: t c; Type: CHECK CONSTRAINT; Schema: public\u001fo\u001fALTER TABLE public.t\u001e    ADD CONSTRAINT c CHECK ((id > 0)) NOT VALID;",
            "Name: t t_pkey; Type: CONSTRAINT; Schema: public\u001fo; Tablespace: Space\u001fSET default_tablespace = \"Space\";\u001eALTER TABLE ONLY public.t\u001e    ADD CONSTRAINT t_pkey PRIMARY KEY (id);",
            "Name: t_i; Type: INDEX; Schema: public\u001fo; Tablespace: Space\u001fSET default_tablespace = \"Space\";\u001eCREATE INDEX t_i ON public.t USING btree (id);");
    }

    [Fact]
    public void Normalizer_sorts_acl_units_keeping_a_grant_with_its_session_authorization()
    {
        static string Acl(params string[] body)
        {
            string[] lines = ["--", "-- Name: TABLE g; Type: ACL; Schema: public; Owner: o", "--", "", .. body, "", ""];
            return string.Join('\n', lines);
        }

        var byGrantorSelect = SchemaNormalizer.Normalize(Acl(
            "GRANT ALL ON TABLE public.g TO g1 WITH GRANT OPTION;", "SET SESSION AUTHORIZATION g1;", "GRANT SELECT ON TABLE public.g TO r;",
            "RESET SESSION AUTHORIZATION;", "GRANT INSERT ON TABLE public.g TO r;"));
        var byGrantorInsert = SchemaNormalizer.Normalize(Acl(
            "GRANT ALL ON TABLE public.g TO g1 WITH GRANT OPTION;", "GRANT SELECT ON TABLE public.g TO r;", "SET SESSION AUTHORIZATION g1;",
            "GRANT INSERT ON TABLE public.g TO r;", "RESET SESSION AUTHORIZATION;"));
        var reordered = SchemaNormalizer.Normalize(Acl(
            "GRANT INSERT ON TABLE public.g TO r;", "SET SESSION AUTHORIZATION g1;", "GRANT SELECT ON TABLE public.g TO r;",
            "RESET SESSION AUTHORIZATION;", "GRANT ALL ON TABLE public.g TO g1 WITH GRANT OPTION;"));

        byGrantorSelect.Should().NotEqual(byGrantorInsert, "who granted SELECT and INSERT differs");
        byGrantorSelect.Should().Equal(reordered, "only the order of the units differs");
        byGrantorSelect.Single().Should().EndWith(
            "\u001fGRANT ALL ON TABLE public.g TO g1 WITH GRANT OPTION;\u001eGRANT INSERT ON TABLE public.g TO r;"
            + "\u001eSET SESSION AUTHORIZATION g1;\u001eGRANT SELECT ON TABLE public.g TO r;\u001eRESET SESSION AUTHORIZATION;");
    }

    [Fact]
    public void Schema_comparison_counts_like_compare_sh()
    {
        string[] source = ["k1\u001fo\u001fsame", "k2\u001fo\u001fold", "k3\u001fo\u001fgone", "k4\u001fo\u001fdup", "k4\u001fo\u001fdup"];
        string[] target = ["k1\u001fo\u001fsame", "k2\u001fo2\u001fnew", "k5\u001fo\u001fstray", "k4\u001fo\u001fdup"];

        var result = SchemaComparer.Compare(source, target);

        result.Matched.Should().Be(2);
        result.Total.Should().Be(6, "5 source records + 1 extra key");
        result.Missing.Should().Equal("k3", "k4");
        result.Extra.Should().Equal("k5");
        result.Differing.Should().Equal("k2");
        result.Differences.Should().Equal(
            "MISSING in target: k3",
            "MISSING in target: k4",
            "EXTRA in target: k5",
            "DIFFERS: k2\n        @@ -1,2 +1,2 @@\n        --- owner: o\n        -old\n        +-- owner: o2\n        +new");
    }

    [Fact]
    public void Unified_diff_keeps_three_context_lines_and_merges_close_hunks()
    {
        string[] a = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "20"];
        var b = a.ToList();
        b[1] = "two";       // hunk 1
        b[7] = "eight";     // 5 equal lines apart: merged into hunk 1
        b.RemoveAt(18);     // far away: hunk 2
        b.Insert(0, "zero");

        UnifiedDiff.Create(a, b).Should().Equal(
            "@@ -1,11 +1,12 @@", "+zero", " 1", "-2", "+two", " 3", " 4", " 5", " 6", " 7", "-8", "+eight", " 9", " 10", " 11",
            "@@ -16,5 +17,4 @@", " 16", " 17", " 18", "-19", " 20");
        UnifiedDiff.Create(["a"], ["a", "b"]).Should().Equal("@@ -1 +1,2 @@", " a", "+b");
        UnifiedDiff.Create([], ["b"]).Should().Equal("@@ -0,0 +1 @@", "+b");
    }

    [Fact]
    public void Code_point_order_matches_byte_order_of_utf8()
    {
        var list = new List<string> { "\uFF21", "\U0001F600", "b", "B", "a b", "a\u001f" };
        list.Sort(CodePointComparer.Instance);
        list.Should().Equal("B", "a\u001f", "a b", "b", "\uFF21", "\U0001F600");
    }

    [Fact]
    public void Npgsql_connection_string_becomes_libpq_conninfo_without_password()
    {
        var info = LibpqConnInfo.FromNpgsql(
            "Host=db1:5433,[::1];Port=6000;Username=o'neil;Database=my db;Password=s3cr\\et;SSL Mode=VerifyFull;Search Path=a b;Pooling=false");

        info.ConnInfo.Should().Be(@"host='db1,::1' port='5433,6000' user='o\'neil' dbname='my db' sslmode=verify-full options='-c search_path=a\\ b'");
        info.Password.Should().Be("s3cr\\et");
    }

    // ---- helpers ----

    private static async Task<OracleReport> CompareAfterAsync(string? targetChange, OracleOptions? options = null, string? sourceChange = null)
    {
        var server = await SharedPostgresServer.GetAsync();
        var source = await server.CreateDatabaseAsync("oracle_src");
        var target = await server.CreateDatabaseAsync("oracle_dst");
        try
        {
            await ExecuteAsync(source, Fixture);
            await ExecuteAsync(target, Fixture);
            if (sourceChange is not null)
                await ExecuteAsync(source, sourceChange);
            if (targetChange is not null)
                await ExecuteAsync(target, targetChange);
            return await DatabaseOracle.CompareAsync(source, target, options);
        }
        finally
        {
            await server.DropDatabaseAsync(new NpgsqlConnectionStringBuilder(source).Database!);
            await server.DropDatabaseAsync(new NpgsqlConnectionStringBuilder(target).Database!);
        }
    }

    private const string ConfigExtension = "fpdump_oracle_config";

    /// <summary>A tiny extension with a configuration table holding one row of its own; false when the share directory is not ours.</summary>
    private static async Task<bool> InstallConfigExtensionAsync(PostgresServer server)
    {
        if (server.Kind != PostgresServerKind.LocalBinaries)
            return false;
        var share = await Support.Db.ScalarAsync<string>(server.ConnectionString, "SELECT setting FROM pg_config WHERE name = 'SHAREDIR'");
        var directory = Path.Combine(share, "extension");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory, ConfigExtension + ".control"),
                "comment = 'FactoryPulse.Dump oracle test: a configuration table'\ndefault_version = '1.0'\nrelocatable = false\nschema = public\n");
            await File.WriteAllTextAsync(Path.Combine(directory, ConfigExtension + "--1.0.sql"), """
                CREATE TABLE oracle_config (key text PRIMARY KEY, builtin boolean NOT NULL DEFAULT false);
                INSERT INTO oracle_config VALUES ('builtin.key', true);
                SELECT pg_catalog.pg_extension_config_dump('oracle_config', 'WHERE NOT builtin');
                """);
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// An in-place tablespace (a folder under pg_tblspc, allow_in_place_tablespaces): no directory the server's OS user must be
    /// able to write is needed. CREATE TABLESPACE cannot run in a transaction, so each statement is its own command.
    /// </summary>
    internal static async Task<string> CreateInPlaceTablespaceAsync(PostgresServer server, string prefix)
    {
        var name = prefix + "_" + Guid.NewGuid().ToString("N")[..8];
        var builder = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        foreach (var sql in new[] { "SET allow_in_place_tablespaces = on", $"CREATE TABLESPACE {name} LOCATION ''" })
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
        return name;
    }

    internal static async Task DropTablespaceAsync(PostgresServer server, string name)
    {
        var builder = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP TABLESPACE IF EXISTS {name}", connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        // unpooled, so no idle connection keeps the database from being dropped
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
