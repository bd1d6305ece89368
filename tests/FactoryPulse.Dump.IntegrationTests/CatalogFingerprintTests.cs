using System.Globalization;
using FactoryPulse.Dump.IntegrationTests.Support;
using FactoryPulse.Dump.Testing;
using Xunit.Abstractions;

namespace FactoryPulse.Dump.IntegrationTests;

/// <summary>
/// Proves <see cref="CatalogFingerprint"/> is strong enough to stand in for the pg_dump oracle where no pg_dump reads the server:
/// two databases made by one script have equal fingerprints that hold a line for every object kind, and one changed property of one
/// copy (owner, grant, compression, statistics target, partition bound, …) makes them differ, naming the object.
/// </summary>
public sealed class CatalogFingerprintTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _workDirectory = Directory.CreateTempSubdirectory("fpdump-fingerprint-").FullName;

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);

    /// <summary>Change name → (statements applied to one twin, text the differing lines must contain).</summary>
    private static readonly Dictionary<string, (string Sql, string Names)> Changes = new(StringComparer.Ordinal)
    {
        ["table owner"] = ("ALTER TABLE fp.nosec OWNER TO cfp_reader", "relation fp.nosec "),
        ["revoked table grant"] = ("REVOKE SELECT ON fp.items FROM cfp_reader", "relation fp.items "),
        ["column compression"] = ("ALTER TABLE fp.items ALTER COLUMN body SET COMPRESSION {compression}", "column fp.items #4 body "),
        ["matview column statistics target"] = ("ALTER MATERIALIZED VIEW fp.item_stats ALTER COLUMN n SET STATISTICS 300", "column fp.item_stats #2 n "),
        ["partition bound"] = ("""
            ALTER TABLE fp.events DETACH PARTITION fp.events_2026;
            ALTER TABLE fp.events ATTACH PARTITION fp.events_2026 FOR VALUES FROM ('2026-01-01') TO ('2026-07-01')
            """, "relation fp.events_2026 "),
        ["FORCE ROW LEVEL SECURITY alone"] = ("ALTER TABLE fp.nosec FORCE ROW LEVEL SECURITY", "relation fp.nosec "),
        ["grant on an extension member"] = ("GRANT EXECUTE ON FUNCTION public.gen_random_uuid() TO cfp_reader", "acl_change function public.gen_random_uuid() "),
        ["grant on a built-in function"] = ("GRANT EXECUTE ON FUNCTION pg_catalog.lo_import(text) TO cfp_reader", "acl_change function pg_catalog.lo_import(pg_catalog.text) "),
        ["typed table made plain"] = ("ALTER TABLE fp.typed NOT OF", "relation fp.typed "),
        ["event trigger disabled"] = ("ALTER EVENT TRIGGER fp_et DISABLE", "event_trigger fp_et "),
        ["large object contents"] = ("SELECT lo_put(424242, 1, '\\xff'::bytea)", "large_object 424242 "),
        // A few more that a restore could lose silently.
        ["column storage"] = ("ALTER TABLE fp.items ALTER COLUMN body SET STORAGE MAIN", "column fp.items #4 body "),
        ["replica identity"] = ("ALTER TABLE fp.items REPLICA IDENTITY DEFAULT", "relation fp.items "),
        ["sequence option"] = ("ALTER SEQUENCE fp.counter CACHE 3", "sequence fp.counter "),
        ["trigger disabled"] = ("ALTER TABLE fp.items DISABLE TRIGGER items_touch", "trigger fp.items.items_touch "),
        ["extended statistics target"] = ("ALTER STATISTICS fp.items_stats SET STATISTICS 60", "statistics fp.items_stats "),
        ["default privileges"] = ("ALTER DEFAULT PRIVILEGES FOR ROLE cfp_owner IN SCHEMA fp REVOKE SELECT ON TABLES FROM cfp_reader", "default_acl role=cfp_owner "),
        ["database setting"] = ("DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET work_mem = %L', current_database(), '16MB'); END $$", "database setting role=- "),
        ["comment"] = ("COMMENT ON COLUMN fp.items.body IS 'other text'", "comment on table column fp.items.body"),
        ["user mapping password"] = ("ALTER USER MAPPING FOR cfp_owner SERVER fp_srv OPTIONS (SET password 'changed')", "user_mapping for cfp_owner server fp_srv "),
        ["publication table"] = ("ALTER PUBLICATION fp_pub DROP TABLE fp.plain", "publication fp_pub "),
        ["language grant"] = ("REVOKE USAGE ON LANGUAGE fp_lang FROM cfp_reader", "language fp_lang "),
        ["dependency on an extension"] = ("ALTER FUNCTION fp.int_eq(integer, integer) NO DEPENDS ON EXTENSION pgcrypto", "depends_on_extension function fp.int_eq("),
        ["operator family member"] = ("ALTER OPERATOR FAMILY fp.int_fam USING btree ADD OPERATOR 1 < (integer, bigint)", "opfamily fp.int_fam "),
    };

    public static TheoryData<string> ChangeNames => [.. Changes.Keys.Order(StringComparer.Ordinal)];

    [Fact]
    public async Task Twins_made_by_one_script_have_equal_fingerprints_with_a_line_for_every_object_kind()
    {
        var server = await SharedPostgresServer.GetAsync();
        var (first, second) = await CreateTwinsAsync(server, "fpt");
        try
        {
            var print = await CatalogFingerprint.ReadAsync(first);
            output.WriteLine($"{print.Count} lines");
            CatalogFingerprint.Compare(print, await CatalogFingerprint.ReadAsync(second)).Should().BeNull();
            CoversEveryKind(print);
        }
        finally
        {
            await DropAsync(server, first);
            await DropAsync(server, second);
        }
    }

    [Theory]
    [MemberData(nameof(ChangeNames))]
    public async Task A_change_to_one_twin_makes_the_fingerprints_differ_and_names_the_object(string change)
    {
        var server = await SharedPostgresServer.GetAsync();
        var (first, second) = await CreateTwinsAsync(server, "fpc");
        try
        {
            var (sql, names) = Changes[change];
            if (sql.Contains("{compression}", StringComparison.Ordinal))
            {
                // lz4 where the server was built with it (the case of the issue); pglz still changes attcompression from "default".
                var lz4 = await Db.ScalarAsync<int>(first,
                    "SELECT count(*)::int FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)") > 0;
                output.WriteLine($"compression: {(lz4 ? "lz4" : "pglz (no lz4 in this server)")}");
                sql = sql.Replace("{compression}", lz4 ? "lz4" : "pglz", StringComparison.Ordinal);
            }
            var before = await CatalogFingerprint.ReadAsync(first);
            CatalogFingerprint.Compare(before, await CatalogFingerprint.ReadAsync(second)).Should().BeNull("the twins start out equal");

            await Db.ExecuteAsync(second, sql);
            var report = CatalogFingerprint.Compare(before, await CatalogFingerprint.ReadAsync(second));
            output.WriteLine(report ?? "(no difference)");

            report.Should().NotBeNull($"the fingerprint must catch: {change}");
            report.Should().Contain(names, "the difference names the changed object");
            report.Should().NotContain("secret").And.NotContain("password=changed", "passwords are compared by hash only");
        }
        finally
        {
            await DropAsync(server, first);
            await DropAsync(server, second);
        }
    }

    // ---- shared with the version-matrix servers ---------------------------------------------------------------

    /// <summary>Makes two databases from <see cref="ScriptFor"/> on <paramref name="server"/> (one after the other: the script creates roles).</summary>
    internal static async Task<(string First, string Second)> CreateTwinsAsync(PostgresServer server, string prefix)
    {
        var first = await server.CreateDatabaseAsync(prefix + "_a");
        var second = await server.CreateDatabaseAsync(prefix + "_b");
        var major = await Db.ScalarAsync<int>(first, "SELECT current_setting('server_version_num')::int / 10000");
        var file = Path.Combine(Path.GetTempPath(), $"fpdump-fingerprint-{Guid.NewGuid():N}.sql");
        try
        {
            await File.WriteAllTextAsync(file, ScriptFor(major));
            // psql: CREATE SUBSCRIPTION and Npgsql's splitting of statements do not mix with one implicit transaction
            await ExternalTool.PsqlFileAsync(first, file);
            await ExternalTool.PsqlFileAsync(second, file);
        }
        finally
        {
            File.Delete(file);
        }
        return (first, second);
    }

    /// <summary>Drops a twin; its subscription first (a database with a subscription cannot be dropped).</summary>
    internal static async Task DropAsync(PostgresServer server, string connectionString)
    {
        try
        {
            await Db.ExecuteAsync(connectionString, "DROP SUBSCRIPTION IF EXISTS fp_sub");
        }
        finally
        {
            await server.DropDatabaseAsync(Db.DatabaseOf(connectionString));
        }
    }

    /// <summary>The fingerprint holds at least one line of each kind the script makes, or a query could silently return nothing.</summary>
    internal static void CoversEveryKind(List<string> print)
    {
        string[] kinds =
        [
            "schema fp ", "relation fp.items ", "column fp.items #", "constraint on fp.items ", "index fp.items_pkey ", "view fp.item_codes ",
            "sequence fp.counter ", "type fp.mood typtype=e", "type fp.pos typtype=d", "type fp.pair typtype=c", "type fp.floatrange typtype=r",
            "type fp.later typtype=p defined=f", "function fp.touch() kind=f", "function fp.noop(",
            "function fp.concat_all(text) kind=a", "operator fp.===(integer,integer) ", "opfamily fp.int_fam ", "opclass fp.int_rev ",
            "cast (fp.mood AS integer) ", "conversion fp.latin_conv ", "collation fp.german ", "ts_parser fp.prs ", "ts_template fp.tmpl ",
            "ts_dictionary fp.dict ", "ts_config fp.cfg ", "language fp_lang ", "transform for fp.mood language fp_lang ",
            "access_method fp_heap ", "foreign_data_wrapper fp_fdw ", "server fp_srv ", "user_mapping for cfp_owner server fp_srv ",
            "foreign_table fp.remote ", "trigger fp.items.items_touch_off enabled=D", "event_trigger fp_et ", "rule fp.scratch.scratch_log ",
            "policy fp.plain.plain_read ", "publication fp_pub ", "subscription fp_sub ", "statistics fp.items_stats ", "default_acl ",
            "extension pgcrypto ", "depends_on_extension function fp.int_eq(integer,integer) extension pgcrypto", "acl_change function public.gen_random_uuid() ", "acl_change function pg_catalog.lo_export(",
            "large_object 424242 ", "comment on table fp.items: items", "database comment: ",
            "database setting role=- ", "database setting role=cfp_reader ",
        ];
        foreach (var kind in kinds)
            print.Should().Contain(line => line.StartsWith(kind, StringComparison.Ordinal), $"the fingerprint has a line starting \"{kind}\"");
        // (13 spells a procedure's arguments without IN)
        print.Should().Contain(line => line.StartsWith("function fp.noop(", StringComparison.Ordinal) && line.Contains(" kind=p ", StringComparison.Ordinal));
        // Properties the issue lists as lost, present in the base so a change of each is a change of a line that exists.
        print.Should().Contain(line => line.StartsWith("relation fp.typed ", StringComparison.Ordinal) && line.Contains(" of=fp.pair ", StringComparison.Ordinal));
        print.Should().Contain(line => line.StartsWith("relation fp.events_2026 ", StringComparison.Ordinal)
            && line.Contains("bound=FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')", StringComparison.Ordinal));
        print.Should().Contain(line => line.StartsWith("user_mapping ", StringComparison.Ordinal) && line.Contains("password=md5:", StringComparison.Ordinal));
        print.Should().NotContain(line => line.Contains("secret", StringComparison.Ordinal), "no password is printed");
    }

    /// <summary>One of (nearly) every object kind pg_dump dumps; valid on PostgreSQL 13 to 18, with what newer versions add.</summary>
    internal static string ScriptFor(int major)
    {
        var sql = new System.Text.StringBuilder(Script);
        if (major >= 15)
        {
            // publication column lists, row filters and schemas, 15+
            sql.AppendLine("CREATE PUBLICATION fp_pub_cols FOR TABLE fp.plain (id, who) WHERE (id > 0);");
            sql.AppendLine("CREATE PUBLICATION fp_pub_schema FOR TABLES IN SCHEMA fp;");
        }
        return sql.ToString();
    }

    private const string Script = """
        DO $$ BEGIN
          CREATE ROLE cfp_owner NOLOGIN;
        EXCEPTION WHEN duplicate_object THEN NULL;
        END $$;
        DO $$ BEGIN
          CREATE ROLE cfp_reader NOLOGIN;
        EXCEPTION WHEN duplicate_object THEN NULL;
        END $$;
        CREATE EXTENSION pgcrypto;
        CREATE SCHEMA fp AUTHORIZATION cfp_owner;
        COMMENT ON SCHEMA fp IS 'fingerprint schema';
        GRANT USAGE ON SCHEMA fp TO cfp_reader;

        CREATE TYPE fp.mood AS ENUM ('sad', 'ok', 'happy');
        CREATE DOMAIN fp.pos AS integer DEFAULT 1 NOT NULL CONSTRAINT pos_check CHECK (VALUE > 0);
        CREATE TYPE fp.pair AS (a integer, b text);
        CREATE FUNCTION fp.float_diff(float8, float8) RETURNS float8 LANGUAGE sql IMMUTABLE AS 'SELECT $1 - $2';
        CREATE TYPE fp.floatrange AS RANGE (SUBTYPE = float8, SUBTYPE_DIFF = fp.float_diff);
        CREATE TYPE fp.later;
        GRANT USAGE ON TYPE fp.mood TO cfp_reader;
        ALTER TYPE fp.pair OWNER TO cfp_owner;

        CREATE COLLATION fp.c_coll (locale = 'C');
        CREATE COLLATION fp.german (provider = icu, locale = 'de-DE');

        CREATE TABLE fp.items (
            id serial PRIMARY KEY,
            code text COLLATE fp.c_coll NOT NULL UNIQUE,
            qty fp.pos,
            body text,
            mood fp.mood DEFAULT 'ok',
            ident bigint GENERATED BY DEFAULT AS IDENTITY (START WITH 7 INCREMENT BY 3),
            twice integer GENERATED ALWAYS AS (id * 2) STORED,
            CONSTRAINT qty_small CHECK (qty < 1000) NOT VALID
        ) WITH (fillfactor = 90, autovacuum_enabled = false, toast.autovacuum_enabled = false);
        ALTER TABLE fp.items OWNER TO cfp_owner;
        ALTER TABLE fp.items ALTER COLUMN body SET STORAGE EXTERNAL;
        ALTER TABLE fp.items ALTER COLUMN qty SET (n_distinct = 50);
        ALTER TABLE fp.items ALTER COLUMN code SET STATISTICS 200;
        ALTER TABLE fp.items REPLICA IDENTITY FULL;
        CREATE INDEX items_lower_code ON fp.items (lower(code)) WITH (fillfactor = 70);
        ALTER INDEX fp.items_lower_code ALTER COLUMN 1 SET STATISTICS 400;
        CLUSTER fp.items USING items_pkey;
        GRANT SELECT, UPDATE (body) ON fp.items TO cfp_reader;
        COMMENT ON TABLE fp.items IS 'items';
        COMMENT ON COLUMN fp.items.body IS 'free text';

        CREATE TABLE fp.base (id integer, note text);
        CREATE TABLE fp.child (extra integer) INHERITS (fp.base);
        CREATE UNLOGGED TABLE fp.scratch (id integer);
        CREATE TABLE fp.typed OF fp.pair (a WITH OPTIONS PRIMARY KEY);
        CREATE TABLE fp.plain (id integer PRIMARY KEY, who text);
        ALTER TABLE fp.plain ENABLE ROW LEVEL SECURITY;
        CREATE POLICY plain_read ON fp.plain FOR SELECT TO cfp_reader USING (who = current_user);
        CREATE TABLE fp.nosec (id integer);

        CREATE TABLE fp.events (id bigint NOT NULL, happened date NOT NULL, kind text) PARTITION BY RANGE (happened);
        CREATE TABLE fp.events_2026 PARTITION OF fp.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
        CREATE TABLE fp.events_rest PARTITION OF fp.events DEFAULT;
        CREATE INDEX events_kind ON fp.events (kind);

        CREATE ACCESS METHOD fp_heap TYPE TABLE HANDLER heap_tableam_handler;
        CREATE TABLE fp.other_am (id integer) USING fp_heap;

        CREATE SEQUENCE fp.counter AS integer START WITH 5 INCREMENT BY 5 MINVALUE 5 MAXVALUE 5000 CACHE 2 CYCLE;
        ALTER SEQUENCE fp.counter OWNED BY fp.plain.id;
        GRANT USAGE ON SEQUENCE fp.counter TO cfp_reader;

        CREATE VIEW fp.item_codes WITH (security_barrier) AS SELECT id, code FROM fp.items WHERE qty > 1 WITH CASCADED CHECK OPTION;
        CREATE MATERIALIZED VIEW fp.item_stats AS SELECT mood, count(*) AS n FROM fp.items GROUP BY mood WITH NO DATA;

        CREATE FUNCTION fp.touch() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = fp, pg_temp
            AS $$ BEGIN RETURN NEW; END $$;
        CREATE TRIGGER items_touch BEFORE UPDATE ON fp.items FOR EACH ROW EXECUTE FUNCTION fp.touch();
        CREATE TRIGGER items_touch_off BEFORE INSERT ON fp.items FOR EACH ROW EXECUTE FUNCTION fp.touch();
        ALTER TABLE fp.items DISABLE TRIGGER items_touch_off;
        CREATE PROCEDURE fp.noop(n integer) LANGUAGE sql AS 'SELECT 1';
        REVOKE EXECUTE ON FUNCTION fp.touch() FROM PUBLIC;
        GRANT EXECUTE ON PROCEDURE fp.noop(integer) TO cfp_reader;
        CREATE AGGREGATE fp.concat_all(text) (SFUNC = textcat, STYPE = text, INITCOND = '', PARALLEL = SAFE);
        CREATE RULE scratch_log AS ON INSERT TO fp.scratch DO ALSO NOTIFY scratch;

        CREATE FUNCTION fp.int_eq(integer, integer) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT $1 = $2';
        CREATE OPERATOR fp.=== (LEFTARG = integer, RIGHTARG = integer, FUNCTION = fp.int_eq, COMMUTATOR = OPERATOR(fp.===));
        CREATE OPERATOR FAMILY fp.int_fam USING btree;
        CREATE OPERATOR CLASS fp.int_rev FOR TYPE integer USING btree FAMILY fp.int_fam AS
            OPERATOR 1 >, OPERATOR 2 >=, OPERATOR 3 =, OPERATOR 4 <=, OPERATOR 5 <, FUNCTION 1 btint4cmp(integer, integer);
        CREATE CAST (fp.mood AS integer) WITH INOUT AS ASSIGNMENT;
        CREATE CONVERSION fp.latin_conv FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8;

        CREATE TEXT SEARCH PARSER fp.prs (START = prsd_start, GETTOKEN = prsd_nexttoken, END = prsd_end, LEXTYPES = prsd_lextype, HEADLINE = prsd_headline);
        CREATE TEXT SEARCH TEMPLATE fp.tmpl (INIT = dsimple_init, LEXIZE = dsimple_lexize);
        CREATE TEXT SEARCH DICTIONARY fp.dict (TEMPLATE = fp.tmpl, STOPWORDS = english);
        CREATE TEXT SEARCH CONFIGURATION fp.cfg (PARSER = fp.prs);
        ALTER TEXT SEARCH CONFIGURATION fp.cfg ADD MAPPING FOR word, asciiword WITH fp.dict, simple;

        CREATE TRUSTED LANGUAGE fp_lang HANDLER plpgsql_call_handler;
        GRANT USAGE ON LANGUAGE fp_lang TO cfp_reader;
        -- any function (internal) RETURNS internal will do as FROM SQL
        CREATE TRANSFORM FOR fp.mood LANGUAGE fp_lang (FROM SQL WITH FUNCTION pg_catalog.gtsvector_compress(internal));

        CREATE FOREIGN DATA WRAPPER fp_fdw OPTIONS (debug 'true');
        CREATE SERVER fp_srv TYPE 'kind' VERSION '1' FOREIGN DATA WRAPPER fp_fdw OPTIONS (host 'example.invalid', port '5432');
        GRANT USAGE ON FOREIGN SERVER fp_srv TO cfp_reader;
        CREATE USER MAPPING FOR cfp_owner SERVER fp_srv OPTIONS (user 'remote', password 'secret');
        CREATE FOREIGN TABLE fp.remote (a integer OPTIONS (column_name 'aa'), b text) SERVER fp_srv OPTIONS (table_name 'remote_t');

        CREATE FUNCTION fp.on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
        CREATE EVENT TRIGGER fp_et ON ddl_command_end WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE') EXECUTE FUNCTION fp.on_ddl();

        CREATE PUBLICATION fp_pub FOR TABLE fp.items, fp.plain WITH (publish = 'insert, update');
        -- no connection, no slot: nothing runs, and the database can be dropped after DROP SUBSCRIPTION
        CREATE SUBSCRIPTION fp_sub CONNECTION 'host=example.invalid dbname=none password=secret' PUBLICATION fp_pub
            WITH (connect = false, slot_name = NONE);

        CREATE STATISTICS fp.items_stats (ndistinct, dependencies) ON qty, mood FROM fp.items;
        ALTER STATISTICS fp.items_stats SET STATISTICS 50;

        ALTER DEFAULT PRIVILEGES FOR ROLE cfp_owner IN SCHEMA fp GRANT SELECT ON TABLES TO cfp_reader;
        GRANT EXECUTE ON FUNCTION public.gen_random_uuid() TO cfp_owner;
        ALTER FUNCTION fp.int_eq(integer, integer) DEPENDS ON EXTENSION pgcrypto;
        GRANT EXECUTE ON FUNCTION pg_catalog.lo_export(oid, text) TO cfp_owner;

        SELECT lo_from_bytea(424242, '\x00010203'::bytea);
        ALTER LARGE OBJECT 424242 OWNER TO cfp_owner;
        GRANT SELECT ON LARGE OBJECT 424242 TO cfp_reader;
        COMMENT ON LARGE OBJECT 424242 IS 'blob';

        COMMENT ON FUNCTION fp.touch() IS 'stamps';
        COMMENT ON TRIGGER items_touch ON fp.items IS 'touch';
        COMMENT ON POLICY plain_read ON fp.plain IS 'own rows';
        COMMENT ON CONSTRAINT qty_small ON fp.items IS 'sanity';
        COMMENT ON EXTENSION pgcrypto IS 'crypto';
        COMMENT ON TEXT SEARCH CONFIGURATION fp.cfg IS 'config';
        COMMENT ON SERVER fp_srv IS 'remote';
        COMMENT ON EVENT TRIGGER fp_et IS 'ddl';
        COMMENT ON PUBLICATION fp_pub IS 'pub';
        DO $$ BEGIN
          EXECUTE format('ALTER DATABASE %I SET work_mem = %L', current_database(), '8MB');
          EXECUTE format('ALTER ROLE cfp_reader IN DATABASE %I SET statement_timeout = %L', current_database(), '5s');
          EXECUTE format('COMMENT ON DATABASE %I IS %L', current_database(), 'fingerprint twin');
        END $$;

        """;
}

/// <summary>The fingerprint's queries on the oldest and newest servers of the version matrix (the shared server is 15).</summary>
[Collection(PostgresVersionMatrixCollection.Name)]
public sealed class CatalogFingerprintVersionTests(PostgresVersionServers servers, ITestOutputHelper output)
{
    [Theory]
    [InlineData(13)]
    [InlineData(18)]
    public async Task The_fingerprint_runs_on_the_version_and_twins_compare_equal(int major)
    {
        var server = (await servers.GetAsync(major)).Server;
        var (first, second) = await CatalogFingerprintTests.CreateTwinsAsync(server, string.Create(CultureInfo.InvariantCulture, $"fpv{major}"));
        try
        {
            var print = await CatalogFingerprint.ReadAsync(first);
            output.WriteLine($"PostgreSQL {major}: {print.Count} lines");
            CatalogFingerprint.Compare(print, await CatalogFingerprint.ReadAsync(second)).Should().BeNull();
            CatalogFingerprintTests.CoversEveryKind(print);
            if (major >= 15)
                print.Should().Contain(line => line.StartsWith("publication fp_pub_cols ", StringComparison.Ordinal) && line.Contains("tables=fp.plain (id, who) WHERE (id > 0)", StringComparison.Ordinal));
        }
        finally
        {
            await CatalogFingerprintTests.DropAsync(server, first);
            await CatalogFingerprintTests.DropAsync(server, second);
        }
    }
}
