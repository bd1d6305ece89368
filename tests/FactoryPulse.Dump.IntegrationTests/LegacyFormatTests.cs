using System.Text.Json.Nodes;
using FactoryPulse.Dump.IntegrationTests.Support;
using FactoryPulse.Dump.Testing;

namespace FactoryPulse.Dump.IntegrationTests;

/// <summary>A small database whose SQL text holds the words and semicolons that once decided things.</summary>
public sealed class TrickyTextDatabase : IAsyncLifetime
{
    public PostgresServer Server { get; private set; } = null!;

    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Server = await SharedPostgresServer.GetAsync();
        ConnectionString = await Server.CreateDatabaseAsync("tricky_text");
        await Db.ExecuteAsync(ConnectionString, """
            DO $$ BEGIN CREATE ROLE legacy_reader; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
            DO $$ BEGIN CREATE ROLE legacy_analyst; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
            COMMENT ON SCHEMA public IS 'not CREATE SCHEMA; nor PARTITION BY';
            CREATE SCHEMA app;
            CREATE TABLE app.items (id int PRIMARY KEY, note text CHECK (note <> 'CHECK (x)'));
            COMMENT ON TABLE app.items IS 'PARTITION BY; CHECK (; REFERENCES other.t (id)';
            INSERT INTO app.items SELECT g, 'n' || g FROM generate_series(1, 100) g;
            CREATE TABLE app.parts (id int, at int) PARTITION BY RANGE (at);
            CREATE TABLE app.parts_1 PARTITION OF app.parts FOR VALUES FROM (0) TO (1000);
            INSERT INTO app.parts SELECT g, g FROM generate_series(1, 50) g;
            CREATE INDEX parts_id ON app.parts (id);
            CREATE TABLE app.refs (id int PRIMARY KEY, item int REFERENCES app.items);
            INSERT INTO app.refs SELECT g, g FROM generate_series(1, 20) g;
            CREATE FUNCTION app.dollar() RETURNS text LANGUAGE plpgsql AS $f$ BEGIN RETURN 'a;b SECURITY DEFINER'; END; $f$;
            COMMENT ON FUNCTION app.dollar() IS 'x; END; $$';
            GRANT SELECT ON app.items TO legacy_reader;
            """);
        // Npgsql would split this command text at the semicolons of its body; a batch command is sent as written.
        await using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var batch = new Npgsql.NpgsqlBatch(connection);
        batch.BatchCommands.Add(new Npgsql.NpgsqlBatchCommand("CREATE FUNCTION app.atomic() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END"));
        await batch.ExecuteNonQueryAsync();
    }

    public Task DisposeAsync() => Server.DropDatabaseAsync(Db.DatabaseOf(ConnectionString));
}

/// <summary>
/// Archives of format 1 (SQL as one text per entry, written before statement lists and facts) still restore: the
/// reader splits their text once. The format 1 manifest here is made from a new one exactly as format 1 wrote it.
/// </summary>
public sealed class LegacyFormatTests(TrickyTextDatabase source) : IClassFixture<TrickyTextDatabase>, IDisposable
{
    private readonly string _workDirectory = Directory.CreateTempSubdirectory("fpdump-legacy-").FullName;

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 1)]
    [InlineData(true, 3)]
    public async Task An_archive_restores_with_user_text_that_looks_like_sql_in_comments_and_bodies(bool formatOne, int jobs)
    {
        var archive = Path.Combine(_workDirectory, $"a-{formatOne}-{jobs}");
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source.ConnectionString, OutputPath = archive });
        if (formatOne)
            await RewriteAsFormatOneAsync(Path.Combine(archive, "manifest.json"));
        var target = await source.Server.CreateDatabaseAsync($"legacy_{formatOne}_{jobs}".ToLowerInvariant());

        await DatabaseRestorer.RestoreAsync(new RestoreOptions
        {
            ConnectionString = target, InputPath = archive, Jobs = jobs, RoleMap = new Dictionary<string, string> { ["legacy_reader"] = "legacy_analyst" },
        });

        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM app.items")).Should().Be(100);
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM app.parts")).Should().Be(50);
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM app.refs")).Should().Be(20);
        (await Db.ScalarAsync<int>(target, "SELECT app.atomic()")).Should().Be(2);
        (await Db.ScalarAsync<string>(target, "SELECT app.dollar()")).Should().Be("a;b SECURITY DEFINER");
        (await Db.ScalarAsync<string>(target, "SELECT obj_description('app.dollar()'::regprocedure)")).Should().Be("x; END; $$");
        (await Db.ScalarAsync<bool>(target, "SELECT has_table_privilege('legacy_analyst', 'app.items', 'SELECT')")).Should().BeTrue();
        (await Db.ScalarAsync<bool>(target, "SELECT has_table_privilege('legacy_reader', 'app.items', 'SELECT')")).Should().BeFalse();
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM pg_indexes WHERE schemaname = 'app'")).Should().BeGreaterThanOrEqualTo(4);
    }

    [Fact]
    public async Task Restoring_only_the_public_schema_is_not_refused_because_its_comment_mentions_create_schema()
    {
        var archive = Path.Combine(_workDirectory, "public-only");
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source.ConnectionString, OutputPath = archive });
        var target = await source.Server.CreateDatabaseAsync("legacy_public_only");

        await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, Schemas = ["public"] });

        (await Db.ScalarAsync<string>(target, "SELECT obj_description('public'::regnamespace)")).Should().Be("not CREATE SCHEMA; nor PARTITION BY");
    }

    /// <summary>Format 1 kept each statement list as one text and role offsets into it; it had no facts.</summary>
    private static async Task RewriteAsFormatOneAsync(string path)
    {
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(path))!.AsObject();
        manifest["formatVersion"] = 1;
        foreach (var entry in manifest["entries"]!.AsArray())
        {
            var item = entry!.AsObject();
            item.Remove("facts");
            var starts = new Dictionary<string, List<int>>();
            item["definition"] = Join(item, "statements", starts, "definition");
            MoveText(item, "ownerStatements", "ownerStatement", starts, "owner");
            MoveText(item, "dropStatements", "dropStatement", starts, null);
            MoveText(item, "dropIfExistsStatements", "dropIfExistsStatement", starts, null);
            if (item["indexFirst"] is JsonObject steps)
            {
                steps["index"] = Join(steps, "indexStatements", starts, null);
                steps["constraint"] = Join(steps, "constraintStatements", starts, null);
            }
            if (item["roleReferences"] is JsonArray references)
            {
                foreach (var reference in references)
                {
                    var field = (string)reference!["field"]!;
                    var statement = (int)reference["statement"]!;
                    reference["offset"] = starts[field][statement] + (int)reference["offset"]!;
                    reference.AsObject().Remove("statement");
                }
            }
        }
        await File.WriteAllTextAsync(path, manifest.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
    }

    private static void MoveText(JsonObject item, string from, string to, Dictionary<string, List<int>> starts, string? field)
    {
        if (item[from] is null)
            return;
        item[to] = Join(item, from, starts, field);
    }

    private static string Join(JsonObject item, string name, Dictionary<string, List<int>> starts, string? field)
    {
        var text = new System.Text.StringBuilder();
        var offsets = new List<int>();
        if (item[name] is JsonArray statements)
        {
            foreach (var statement in statements)
            {
                offsets.Add(text.Length);
                text.Append((string)statement!);
            }
        }
        item.Remove(name);
        if (field is not null)
            starts[field] = offsets;
        return text.ToString();
    }
}
