using System.Globalization;

namespace FactoryPulse.Dump.Benchmarks.Macro;

/// <summary>A loaded source database: what it is, which table the raw COPY peer reads, which tables there are.</summary>
internal sealed record Dataset(
    string Name,
    string Description,
    string ConnectionString,
    string LargestTable,
    IReadOnlyList<string> Tables,
    long LargestTableRows,
    long LargestTableBinaryBytes,
    long AllTablesBinaryBytes,
    long DatabaseBytes,
    TimeSpan LoadTime);

internal static class Datasets
{
    /// <summary>
    /// One big mixed-type table (<c>big</c>), a TOAST-heavy table (<c>blobs</c>, 200 KB of hex text per row, which pglz cannot
    /// shrink enough to keep inline) and 50 small tables of 1000 rows; deterministic (no random()), loaded with INSERT … SELECT
    /// generate_series, keys and one secondary index built after the rows, then VACUUM ANALYZE.
    /// </summary>
    public const string SyntheticSql = """
        SET client_min_messages = warning;
        CREATE TABLE big (
            id          bigint      NOT NULL,
            qty         integer,
            amount      numeric(14,2),
            note        text,
            recorded_at timestamptz NOT NULL,
            ok          boolean,
            ref         uuid,
            attrs       jsonb
        );
        INSERT INTO big
        SELECT g,
               (g * 7919) % 1000003,
               ((g * 104729) % 100000000) / 100.0,
               CASE WHEN g % 10 = 0 THEN NULL ELSE substr(repeat(md5(g::text), 4), 1, 4 + ((g * 37) % 100)::int) END,
               timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second',
               g % 3 = 0,
               md5('u' || g)::uuid,
               jsonb_build_object('line', g % 40, 'shift', (ARRAY['a', 'b', 'c'])[1 + (g % 3)::int], 'ok', g % 7 <> 0)
        FROM generate_series(1::bigint, :rows) AS g;
        ALTER TABLE big ADD PRIMARY KEY (id);
        CREATE INDEX big_recorded_at_idx ON big (recorded_at);

        CREATE TABLE blobs (id integer PRIMARY KEY, title text NOT NULL, body text NOT NULL);
        INSERT INTO blobs
        SELECT d, 'document ' || d, (SELECT string_agg(md5(d::text || ':' || k), '') FROM generate_series(1, 6400) AS k)
        FROM generate_series(1, :toast_rows) AS d;

        DO $$
        BEGIN
            FOR i IN 1..50 LOOP
                EXECUTE format('CREATE TABLE small_%s (id integer PRIMARY KEY, code text NOT NULL, qty integer, price numeric(10,2), updated_at timestamptz)', lpad(i::text, 2, '0'));
                EXECUTE format('INSERT INTO small_%s SELECT g, ''c-'' || g, g %% 97, (g %% 1000) / 10.0, timestamptz ''2024-01-01 00:00:00+00'' + g * interval ''1 minute'' FROM generate_series(1, 1000) AS g', lpad(i::text, 2, '0'));
            END LOOP;
        END
        $$;

        VACUUM ANALYZE;
        """;

    private const string UserTablesSql = """
        SELECT format('%I.%I', n.nspname, c.relname)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
        ORDER BY pg_total_relation_size(c.oid) DESC, 1
        """;

    public static async Task<Dataset> CreateSyntheticAsync(string connectionString, PgTools tools, long rows, int toastRows, string workDirectory)
    {
        var script = Path.Combine(workDirectory, "synthetic.sql");
        await File.WriteAllTextAsync(script, SyntheticSql).ConfigureAwait(false);
        var load = await ChildProcess.RunCheckedAsync(tools.PsqlFile(connectionString, script,
        [
            new("rows", rows.ToString(CultureInfo.InvariantCulture)),
            new("toast_rows", toastRows.ToString(CultureInfo.InvariantCulture)),
        ])).ConfigureAwait(false);
        var description = string.Create(CultureInfo.InvariantCulture,
            $"synthetic: `big` {rows:N0} rows (bigint PK, int, numeric, text 4–103 B or 10 % NULL, timestamptz, bool, uuid, small jsonb; PK + 1 index), `blobs` {toastRows:N0} rows × 200 KB text (TOAST), 50 × `small_NN` 1,000 rows");
        return await DescribeAsync("synthetic", description, connectionString, "public.big", load.Elapsed).ConfigureAwait(false);
    }

    public static async Task<Dataset> CreateFixtureAsync(string connectionString, PgTools tools, string fixtureDirectory, int scale)
    {
        var elapsed = TimeSpan.Zero;
        foreach (var file in new[] { "supabase_shim.sql", "schema.sql", "seed.sql" })
        {
            elapsed += (await ChildProcess.RunCheckedAsync(tools.PsqlFile(connectionString, Path.Combine(fixtureDirectory, file))).ConfigureAwait(false)).Elapsed;
        }

        // Scale 0: the fixture as the app runs it every day (a few hundred objects, ≈ 11 MB), without the bulk data.
        if (scale > 0)
        {
            elapsed += (await ChildProcess.RunCheckedAsync(tools.PsqlFile(connectionString, Path.Combine(fixtureDirectory, "large.sql"),
                [new("scale", scale.ToString(CultureInfo.InvariantCulture))])).ConfigureAwait(false)).Elapsed;
        }

        var vacuum = await ChildProcess.RunCheckedAsync(new ProcessSpec(tools.Psql, ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", PgTools.ConnInfo(connectionString), "-c", "VACUUM ANALYZE"])).ConfigureAwait(false);
        elapsed += vacuum.Elapsed;
        var description = string.Create(CultureInfo.InvariantCulture,
            $"fixture: Factory Pulse from tests/fixtures/factory_pulse (`supabase_shim.sql`, `schema.sql`, `seed.sql`{(scale > 0 ? $", `large.sql` with scale={scale}" : "; no large.sql: the small application database")})");
        var largest = (await PgTools.ColumnAsync(connectionString, UserTablesSql).ConfigureAwait(false))[0];
        return await DescribeAsync("fixture", description, connectionString, largest, elapsed).ConfigureAwait(false);
    }

    /// <summary>benchmarks/datasets/many_objects.sql with <c>-v tables=N</c>: schema-per-tenant, ≈ 18 catalog objects and 20 rows per table.</summary>
    public static async Task<Dataset> CreateManyObjectsAsync(string connectionString, PgTools tools, string script, int tables)
    {
        var load = await ChildProcess.RunCheckedAsync(tools.PsqlFile(connectionString, script, [new("tables", tables.ToString(CultureInfo.InvariantCulture))])).ConfigureAwait(false);
        var vacuum = await ChildProcess.RunCheckedAsync(new ProcessSpec(tools.Psql, ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", PgTools.ConnInfo(connectionString), "-c", "VACUUM ANALYZE"])).ConfigureAwait(false);
        var description = string.Create(CultureInfo.InvariantCulture,
            $"many-objects: benchmarks/datasets/many_objects.sql with tables={tables:N0} (schema per 100 tables; each table: PK, FK, 2 indexes, RLS + 2 policies, trigger, view, function, grant, comment, 20 rows)");
        var largest = (await PgTools.ColumnAsync(connectionString, UserTablesSql).ConfigureAwait(false))[0];
        return await DescribeAsync("many-objects", description, connectionString, largest, load.Elapsed + vacuum.Elapsed).ConfigureAwait(false);
    }

    /// <summary>Sizes: pg_database_size, and the binary COPY bytes of every table (read once, which also warms the page cache).</summary>
    private static async Task<Dataset> DescribeAsync(string name, string description, string connectionString, string largestTable, TimeSpan loadTime)
    {
        var tables = await PgTools.ColumnAsync(connectionString, UserTablesSql).ConfigureAwait(false);
        long all = 0, largestBytes = 0;
        foreach (var table in tables)
        {
            var bytes = await PgTools.BinaryCopySizeAsync(connectionString, table).ConfigureAwait(false);
            all += bytes;
            if (table == largestTable)
                largestBytes = bytes;
        }

        var rows = await PgTools.ScalarAsync<long>(connectionString, $"SELECT count(*) FROM {largestTable}").ConfigureAwait(false);
        var size = await PgTools.ScalarAsync<long>(connectionString, "SELECT pg_database_size(current_database())").ConfigureAwait(false);
        return new Dataset(name, description, connectionString, largestTable, tables, rows, largestBytes, all, size, loadTime);
    }
}
