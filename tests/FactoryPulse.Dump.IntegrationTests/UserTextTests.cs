using System.Text.Json;
using FactoryPulse.Dump.IntegrationTests.Oracle;
using FactoryPulse.Dump.IntegrationTests.Support;
using FactoryPulse.Dump.Testing;

namespace FactoryPulse.Dump.IntegrationTests;

/// <summary>
/// A database whose comments (on tables, a primary key, a check constraint, a foreign key, a policy, a view, schema public and
/// functions), function bodies and one constraint name quote DDL: PARTITION BY, CHECK (, CREATE SCHEMA, SECURITY DEFINER,
/// REFERENCES public.t (. It has exactly two real SECURITY DEFINER functions, one real foreign-key cycle (a ↔ b) and three
/// policies, so counts taken from the catalog's facts are exact and counts taken by searching the SQL text are not. Dumped once.
/// </summary>
public sealed class UserTextDatabase : IAsyncLifetime
{
    public const string Schema = """
        COMMENT ON SCHEMA public IS 'not CREATE SCHEMA; not PARTITION BY; no CHECK (x); not SECURITY DEFINER; not REFERENCES public.t (id)';

        CREATE SCHEMA elsewhere;
        COMMENT ON SCHEMA elsewhere IS 'PARTITION BY nothing, CREATE SCHEMA once';
        CREATE TABLE elsewhere.w (id integer PRIMARY KEY);
        INSERT INTO elsewhere.w SELECT g FROM generate_series(1, 10) g;

        CREATE TABLE public.t (id integer PRIMARY KEY, label text NOT NULL);
        COMMENT ON TABLE public.t IS 'PARTITION BY RANGE (id) is not how this table is built; nor CREATE SCHEMA';
        COMMENT ON CONSTRAINT t_pkey ON public.t IS 'a key, not a CHECK (id > 0) and not PARTITION BY';
        INSERT INTO public.t SELECT g, 'label ' || g FROM generate_series(1, 200) g;

        CREATE TABLE public.u (
          id integer PRIMARY KEY,
          t_id integer NOT NULL CONSTRAINT u_t_fk REFERENCES public.t (id),
          amount integer NOT NULL CONSTRAINT u_amount_check CHECK (amount >= 0)
        );
        COMMENT ON TABLE public.u IS ' SECURITY DEFINER and REFERENCES public.a (id) are words here';
        COMMENT ON CONSTRAINT u_amount_check ON public.u IS 'CREATE SCHEMA is not what this does; PARTITION BY neither';
        COMMENT ON CONSTRAINT u_t_fk ON public.u IS 'REFERENCES public.u (id) is not what this key does';
        CREATE INDEX u_t_id ON public.u (t_id);
        INSERT INTO public.u SELECT g, 1 + g % 200, g FROM generate_series(1, 300) g;

        -- The one real foreign-key cycle, rows referencing each other.
        CREATE TABLE public.a (id integer PRIMARY KEY, b_id integer);
        CREATE TABLE public.b (id integer PRIMARY KEY, a_id integer CONSTRAINT b_a_fk REFERENCES public.a (id));
        ALTER TABLE public.a ADD CONSTRAINT a_b_fk FOREIGN KEY (b_id) REFERENCES public.b (id);
        INSERT INTO public.a VALUES (1, NULL), (2, NULL);
        INSERT INTO public.b VALUES (1, 2), (2, 1);
        UPDATE public.a SET b_id = id;

        -- A constraint name quoting a reference to its own table (it references t).
        CREATE TABLE public.v (id integer PRIMARY KEY, t_id integer CONSTRAINT "v REFERENCES public.v (id)" REFERENCES public.t (id));
        INSERT INTO public.v VALUES (1, 1), (2, 2);

        CREATE TABLE public.events (at date NOT NULL, t_id integer NOT NULL, PRIMARY KEY (at, t_id)) PARTITION BY RANGE (at);
        CREATE TABLE public.events_2025 PARTITION OF public.events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
        CREATE TABLE public.events_2026 PARTITION OF public.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
        COMMENT ON TABLE public.events IS 'no CHECK ( here, no CREATE SCHEMA';
        INSERT INTO public.events SELECT date '2025-06-01' + g, g FROM generate_series(1, 400) g;

        CREATE VIEW public.t_labels AS SELECT id, label FROM public.t;
        COMMENT ON VIEW public.t_labels IS 'CREATE SCHEMA x; PARTITION BY y';

        CREATE FUNCTION public.fake_definer() RETURNS text LANGUAGE sql AS $$ SELECT ' SECURITY DEFINER' $$;
        COMMENT ON FUNCTION public.fake_definer() IS 'runs as the caller, not SECURITY DEFINER';
        CREATE FUNCTION public.quoted_ddl() RETURNS text LANGUAGE sql
          AS $$ SELECT 'CREATE SCHEMA x; PARTITION BY RANGE (a); CHECK (b > 0); REFERENCES public.t (id)' $$;
        CREATE FUNCTION public.t_count() RETURNS bigint LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog
          AS $$ SELECT count(*) FROM public.t $$;
        CREATE FUNCTION public.u_audit() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
        BEGIN
          -- not CREATE SCHEMA, not PARTITION BY
          RETURN NEW;
        END $$;
        CREATE TRIGGER u_audit BEFORE INSERT ON public.u FOR EACH ROW EXECUTE FUNCTION public.u_audit();

        ALTER TABLE public.t ENABLE ROW LEVEL SECURITY;
        CREATE POLICY t_read ON public.t FOR SELECT USING (true);
        CREATE POLICY t_write ON public.t FOR INSERT WITH CHECK (id > 0);
        ALTER TABLE public.u ENABLE ROW LEVEL SECURITY;
        CREATE POLICY u_read ON public.u FOR SELECT USING (amount >= 0);
        COMMENT ON POLICY u_read ON public.u IS 'CREATE SCHEMA and PARTITION BY, in a policy comment';
        """;

    /// <summary>Rows in every table together: elsewhere.w, t, u, a, b, v, events.</summary>
    public const long TotalRows = 10 + 200 + 300 + 2 + 2 + 2 + 400;

    private readonly string _workDirectory = Directory.CreateTempSubdirectory("fpdump-usertext-").FullName;

    public PostgresServer Server { get; private set; } = null!;

    public string ConnectionString { get; private set; } = "";

    /// <summary>The database dumped with default options.</summary>
    public string Archive { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Server = await SharedPostgresServer.GetAsync();
        ConnectionString = await Server.CreateDatabaseAsync("usertext");
        // psql, as the fixtures are loaded: the script holds dollar-quoted bodies with semicolons in them.
        var script = Path.Combine(_workDirectory, "schema.sql");
        await File.WriteAllTextAsync(script, Schema);
        await ExternalTool.PsqlFileAsync(ConnectionString, script);
        Archive = Path.Combine(_workDirectory, "archive");
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = ConnectionString, OutputPath = Archive });
    }

    public async Task DisposeAsync()
    {
        await Server.DropDatabaseAsync(Db.DatabaseOf(ConnectionString));
        Directory.Delete(_workDirectory, recursive: true);
    }
}

/// <summary>
/// Issue 12's acceptance: user text (comments, function bodies, identifiers) that quotes DDL changes nothing — not the parallel
/// restore, not a restore of one schema, not the summary's counts.
/// </summary>
public sealed class UserTextTests(UserTextDatabase source) : IClassFixture<UserTextDatabase>
{
    [Fact]
    public async Task Comments_and_function_bodies_quoting_DDL_change_nothing_in_a_restore_with_three_jobs()
    {
        var target = await source.Server.CreateDatabaseAsync("usertext_j3");

        var report = await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = source.Archive, Jobs = 3 });

        report.TotalRows.Should().Be(UserTextDatabase.TotalRows);
        report.Errors.Should().BeEmpty();
        var oracle = await DatabaseOracle.CompareAsync(source.ConnectionString, target);
        oracle.IsIdentical.Should().BeTrue(oracle.ToString());
    }

    [Fact]
    public async Task Restoring_only_schema_public_works_when_its_comment_mentions_CREATE_SCHEMA()
    {
        // Any fresh database already has schema public; the archive's entry for it only comments on it.
        var target = await source.Server.CreateDatabaseAsync("usertext_public");

        var report = await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = source.Archive, Schemas = ["public"] });

        report.TotalRows.Should().Be(UserTextDatabase.TotalRows - 10);
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM pg_namespace WHERE nspname = 'elsewhere'")).Should().Be(0);
        var oracle = await DatabaseOracle.CompareAsync(source.ConnectionString, target, new OracleOptions { ExcludeSchemas = ["elsewhere"] });
        oracle.IsIdentical.Should().BeTrue(oracle.ToString());
    }

    [Fact]
    public async Task The_summary_counts_only_real_SECURITY_DEFINER_functions_and_exactly_the_tables_and_policies()
    {
        // The source's own catalog agrees with the numbers the schema was written to have.
        (await Db.ScalarAsync<long>(source.ConnectionString, "SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace AND prosecdef")).Should().Be(2);

        var schemas = await SummarySchemasAsync();

        schemas.Keys.Should().BeEquivalentTo("elsewhere", "public");
        var counts = schemas["public"];
        counts.GetProperty("securityDefinerFunctions").GetInt32().Should().Be(2, "t_count and u_audit are SECURITY DEFINER; fake_definer only says so in its body and comment");
        counts.GetProperty("functions").GetInt32().Should().Be(4);
        counts.GetProperty("tables").GetInt32().Should().Be(8, "t, u, a, b, v, events and its two partitions");
        counts.GetProperty("views").GetInt32().Should().Be(1);
        counts.GetProperty("triggers").GetInt32().Should().Be(1);
        counts.GetProperty("policies").GetInt32().Should().Be(3);
        counts.GetProperty("policiesPerTable").EnumerateObject().Select(table => $"{table.Name}={table.Value.GetInt32()}")
            .Should().BeEquivalentTo("public.t=2", "public.u=1");
        var elsewhere = schemas["elsewhere"];
        elsewhere.GetProperty("tables").GetInt32().Should().Be(1);
        elsewhere.GetProperty("securityDefinerFunctions").GetInt32().Should().Be(0);
    }

    [Fact]
    public async Task The_summary_lists_exactly_the_one_real_foreign_key_cycle()
    {
        var json = await ArchiveVerifier.SummarizeAsync(source.Archive, json: true);

        using var summary = JsonDocument.Parse(json);
        summary.RootElement.GetProperty("totalRows").GetInt64().Should().Be(UserTextDatabase.TotalRows);
        // u_t_fk's comment names public.u and v's key is named after public.v: neither is a self-reference.
        summary.RootElement.GetProperty("foreignKeyCycles").EnumerateArray().Select(cycle => cycle.GetString()).Should().Equal(
            "public.a ↔ public.b: loaded in one transaction with the cycle's keys deferred");
    }

    private async Task<Dictionary<string, JsonElement>> SummarySchemasAsync()
    {
        var json = await ArchiveVerifier.SummarizeAsync(source.Archive, json: true);
        using var summary = JsonDocument.Parse(json);
        var schemas = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var schema in summary.RootElement.GetProperty("schemas").EnumerateArray())
            schemas[schema.GetProperty("schema").GetString()!] = schema.Clone();
        return schemas;
    }
}
