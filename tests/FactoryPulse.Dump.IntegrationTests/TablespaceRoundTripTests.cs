using FactoryPulse.Dump.IntegrationTests.Oracle;
using FactoryPulse.Dump.IntegrationTests.Support;
using FactoryPulse.Dump.Testing;

namespace FactoryPulse.Dump.IntegrationTests;

/// <summary>
/// Tables, partitioned tables, materialized views, indexes and keys in a tablespace of their own come back in it (pg_dump selects
/// it with SET default_tablespace before the entry; the archive says TABLESPACE in the statement), and --no-tablespaces leaves
/// them in the default one.
/// </summary>
public sealed class TablespaceRoundTripTests : IDisposable
{
    private readonly string _workDirectory = Directory.CreateTempSubdirectory("fpdump-tblspc-").FullName;

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);

    private static string Schema(string tablespace) => $"""
        CREATE TABLE public.placed (
            id integer PRIMARY KEY USING INDEX TABLESPACE {tablespace},
            code text UNIQUE,
            amount integer
        ) TABLESPACE {tablespace};
        CREATE INDEX placed_amount_idx ON public.placed (amount) TABLESPACE {tablespace};
        CREATE INDEX placed_partial_idx ON public.placed (code) WITH (fillfactor = 80) TABLESPACE {tablespace} WHERE amount > 10;
        CREATE INDEX placed_default_idx ON public.placed (code, amount);
        CREATE TABLE public.readings (taken date NOT NULL, value integer) PARTITION BY RANGE (taken) TABLESPACE {tablespace};
        CREATE TABLE public.readings_2024 PARTITION OF public.readings FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
        CREATE TABLE public.readings_2025 PARTITION OF public.readings FOR VALUES FROM ('2025-01-01') TO ('2026-01-01') TABLESPACE pg_default;
        CREATE INDEX readings_value_idx ON public.readings (value) TABLESPACE {tablespace};
        ALTER TABLE public.readings ADD CONSTRAINT readings_key UNIQUE (taken, value) WITH (fillfactor = 70) USING INDEX TABLESPACE {tablespace};
        CREATE TABLE public.bookings (room integer, during tsrange,
            CONSTRAINT bookings_no_overlap EXCLUDE USING gist (during WITH &&) USING INDEX TABLESPACE {tablespace} WHERE (room > 0) DEFERRABLE);
        CREATE MATERIALIZED VIEW public.placed_totals TABLESPACE {tablespace} AS SELECT code, sum(amount) AS total FROM public.placed GROUP BY code;
        CREATE UNIQUE INDEX placed_totals_code_idx ON public.placed_totals (code) TABLESPACE {tablespace};
        CREATE TABLE public.unplaced (id integer);
        INSERT INTO public.placed VALUES (1, 'a', 5), (2, 'b', 50);
        INSERT INTO public.readings VALUES ('2024-05-01', 1), ('2025-05-01', 2);
        REFRESH MATERIALIZED VIEW public.placed_totals;
        """;

    private const string PlacementQuery = """
        SELECT c.relname || ': ' || coalesce(t.spcname, '(default)')
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_tablespace t ON t.oid = c.reltablespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'm', 'i', 'I')
        ORDER BY c.relname
        """;

    [SkippableFact]
    public async Task Relations_and_indexes_in_a_tablespace_of_their_own_are_restored_in_it()
    {
        var server = await SharedPostgresServer.GetAsync();
        Skip.If(server.Kind != PostgresServerKind.LocalBinaries, "creates a cluster-wide tablespace: only on a server this run started");
        var tablespace = await DatabaseOracleTests.CreateInPlaceTablespaceAsync(server, "fp_rt_ts");
        var source = await server.CreateDatabaseAsync("tblspc_src");
        var target = await server.CreateDatabaseAsync("tblspc_dst");
        var bare = await server.CreateDatabaseAsync("tblspc_none");
        try
        {
            await Db.ExecuteAsync(source, Schema(tablespace));
            var archive = Path.Combine(_workDirectory, "placed");
            await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source, OutputPath = archive });

            await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive });

            var placement = await Db.ColumnAsync(source, PlacementQuery);
            placement.Should().Contain([$"placed: {tablespace}", $"placed_pkey: {tablespace}", $"placed_partial_idx: {tablespace}",
                $"readings: {tablespace}", $"readings_2024: {tablespace}", "readings_2025: (default)", $"placed_totals: {tablespace}",
                "unplaced: (default)", "placed_code_key: (default)", $"readings_key: {tablespace}", $"readings_2024_taken_value_key: {tablespace}",
                $"bookings_no_overlap: {tablespace}"], "the fixture must place what it claims to");
            (await Db.ColumnAsync(target, PlacementQuery)).Should().Equal(placement);
            var oracle = await DatabaseOracle.CompareAsync(source, target);
            oracle.IsIdentical.Should().BeTrue(oracle.ToString());

            var withoutTablespaces = Path.Combine(_workDirectory, "unplaced");
            await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source, OutputPath = withoutTablespaces, NoTablespaces = true });
            await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = bare, InputPath = withoutTablespaces });

            (await Db.ColumnAsync(bare, PlacementQuery)).Should().OnlyContain(line => line.EndsWith(": (default)", StringComparison.Ordinal));
        }
        finally
        {
            foreach (var database in new[] { source, target, bare })
                await server.DropDatabaseAsync(new Npgsql.NpgsqlConnectionStringBuilder(database).Database!);
            await DatabaseOracleTests.DropTablespaceAsync(server, tablespace);
        }
    }
}
