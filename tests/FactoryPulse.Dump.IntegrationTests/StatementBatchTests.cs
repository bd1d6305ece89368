using FactoryPulse.Dump.IntegrationTests.Support;
using FactoryPulse.Dump.Testing;
using Npgsql;

namespace FactoryPulse.Dump.IntegrationTests;

/// <summary>
/// The restore runs an entry's statements as one <see cref="NpgsqlBatch"/>, one batch command per statement. Npgsql must
/// send each command's text as written: no splitting at semicolons inside BEGIN ATOMIC bodies or dollar quotes.
/// </summary>
public sealed class StatementBatchTests
{
    [Fact]
    public async Task A_batch_sends_each_statement_as_written_even_with_semicolons_inside_bodies()
    {
        var server = await SharedPostgresServer.GetAsync();
        var connectionString = await server.CreateDatabaseAsync("batches");
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var batch = new NpgsqlBatch(connection);
            batch.BatchCommands.Add(new NpgsqlBatchCommand("CREATE TABLE public.t (n int);\n"));
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                "CREATE FUNCTION public.atomic_two() RETURNS int LANGUAGE sql BEGIN ATOMIC INSERT INTO public.t VALUES (1); SELECT 2; END;\n"));
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                "CREATE FUNCTION public.dollar() RETURNS text LANGUAGE plpgsql AS $$ BEGIN RETURN 'a;b'; END; $$;\n"));
            batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMENT ON FUNCTION public.dollar() IS 'x; y @p :q $1';\n"));
            await batch.ExecuteNonQueryAsync();

            (await Db.ScalarAsync<int>(connectionString, "SELECT public.atomic_two()")).Should().Be(2);
            (await Db.ScalarAsync<string>(connectionString, "SELECT public.dollar()")).Should().Be("a;b");
            (await Db.ScalarAsync<string>(connectionString, "SELECT obj_description('public.dollar()'::regprocedure)")).Should().Be("x; y @p :q $1");
        }
        finally
        {
            await server.DropDatabaseAsync(Db.DatabaseOf(connectionString));
        }
    }
}
