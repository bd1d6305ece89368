using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Data;
using FactoryPulse.Dump.Restore;
using FactoryPulse.Dump.Sql;
using Npgsql;

namespace FactoryPulse.Dump.Copy;

/// <summary>
/// The rows of a direct copy: each load the restore engine runs on a target connection reads its table from a source
/// connection that imported the copy's exported snapshot, so every table is read at the same point in time as the
/// catalog. Source connections are opened as loads need them (at most one per concurrent load) and reused.
/// </summary>
internal sealed class SourceEntryData(ConnectionSource source, string snapshot) : IEntryDataSource, IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly Stack<NpgsqlConnection> _idle = new();
    private readonly List<NpgsqlConnection> _all = [];

    public async Task LoadAsync(NpgsqlConnection target, TocEntry entry, TableDataInfo data, bool freeze, CancellationToken cancellationToken)
    {
        var reader = await RentAsync(cancellationToken).ConfigureAwait(false);
        var healthy = false;
        try
        {
            if (data.Format == DataFormat.LargeObjects)
            {
                data.Rows = await LargeObjectStreamer.CopyAsync(reader, target, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var into = CopySpec.FromStdin(entry, data, freeze);
                var binary = data.Format == DataFormat.Binary;
                // A serial copy loads a split table piece after piece (a parallel one schedules each piece as its own entry).
                if (data.Chunks is null)
                {
                    data.Rows = await TableStreamer.CopyAsync(reader, CopySpec.ToStdout(entry, data, binary), target, into, binary, entry.DisplayName, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    long rows = 0;
                    foreach (var part in data.Chunks)
                    {
                        var from = CopySpec.ToStdout(entry, data, binary, part.FirstBlock, part.EndBlock);
                        part.Rows = await TableStreamer.CopyAsync(reader, from, target, into, binary, entry.DisplayName, cancellationToken).ConfigureAwait(false);
                        rows += part.Rows;
                    }
                    data.Rows = rows;
                }
            }
            healthy = true;
        }
        finally
        {
            // A source connection whose COPY broke off may be mid-stream: closed, not reused.
            await ReturnAsync(reader, healthy).ConfigureAwait(false);
        }
    }

    /// <summary>An idle source connection in the snapshot, or a new one that imports it.</summary>
    public async Task<NpgsqlConnection> RentAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_idle.TryPop(out var idle))
                return idle;
        }
        var connection = await source.OpenAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
            _all.Add(connection);
        await ServerConnection.ExecuteAsync(connection, SessionSettings.Dump, cancellationToken).ConfigureAwait(false);
        await ServerConnection.ExecuteAsync(connection,
            $"BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; SET TRANSACTION SNAPSHOT {SqlText.QuoteLiteral(snapshot)}", cancellationToken).ConfigureAwait(false);
        return connection;
    }

    public async Task ReturnAsync(NpgsqlConnection connection, bool reusable)
    {
        if (reusable && connection.FullState == System.Data.ConnectionState.Open)
        {
            lock (_lock)
                _idle.Push(connection);
            return;
        }
        lock (_lock)
            _all.Remove(connection);
        await connection.DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection[] all;
        lock (_lock)
        {
            all = [.. _all];
            _all.Clear();
            _idle.Clear();
        }
        foreach (var connection in all)
            await connection.DisposeAsync().ConfigureAwait(false);
    }
}
