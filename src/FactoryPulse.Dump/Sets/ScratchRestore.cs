using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Model;
using FactoryPulse.Dump.Sql;
using Npgsql;

namespace FactoryPulse.Dump.Sets;

/// <summary>One archive (or a schema archive then a data archive) to restore into a scratch database, named in problems as <see cref="What"/>.</summary>
/// <param name="Path">The archive.</param>
/// <param name="DataOnly">Restore its data only, into what the archives before it restored.</param>
/// <param name="What">How problems name it ("the schema archive"), or null for the one archive of <c>fpdump verify -d</c>.</param>
internal readonly record struct ScratchArchive(string Path, bool DataOnly, string? What);

/// <summary>
/// The real restore check, shared by <c>fpdump verify -d</c> and a backup set's restore check: a scratch database of its
/// own, the archives restored into it in turn with zero errors, every table's rows equal to the manifest, and the database
/// dropped whatever happens. A failure is a problem, never an exception.
/// </summary>
internal static class ScratchRestore
{
    public const string ScratchPrefix = "fpdump_verify_";

    /// <summary>
    /// Restores <paramref name="archives"/> into a new database <paramref name="scratchName"/> of the server that
    /// <paramref name="maintenance"/> (open on its maintenance database) and <paramref name="server"/> (its resolved connection
    /// string) reach. Row problems say "after restoring <paramref name="compared"/>", or "after a restore" when it is null.
    /// </summary>
    public static async Task RunAsync(NpgsqlConnection maintenance, NpgsqlConnectionStringBuilder server, string scratchName, ArchiveManifest manifest,
        IReadOnlyList<ScratchArchive> archives, string? passphrase, string? compared, List<string> problems, CancellationToken cancellationToken)
    {
        await ServerConnection.ExecuteAsync(maintenance, $"CREATE DATABASE {SqlText.QuoteIdentifier(scratchName)} TEMPLATE template0 ENCODING {SqlText.QuoteLiteral(manifest.Encoding)}", cancellationToken).ConfigureAwait(false);
        try
        {
            var target = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = scratchName };
            foreach (var archive in archives)
            {
                if (!await RestoreAsync(target, archive, passphrase, problems, cancellationToken).ConfigureAwait(false))
                    return;
            }
            await CompareRowsAsync(target, manifest, compared, problems, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Every connection the library opens is unpooled (ServerConnection.OpenAsync), so none of ours lingers on the
            // scratch database, and FORCE ends any other session; the caller's pools are not the library's to clear.
            await ServerConnection.ExecuteAsync(maintenance, $"DROP DATABASE IF EXISTS {SqlText.QuoteIdentifier(scratchName)} WITH (FORCE)", CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Restores one archive, stopping at the first error; false (and a problem naming the archive) when it fails.</summary>
    private static async Task<bool> RestoreAsync(NpgsqlConnectionStringBuilder target, ScratchArchive archive, string? passphrase, List<string> problems, CancellationToken cancellationToken)
    {
        var restoring = archive.What is null ? "restoring" : $"restoring {archive.What}";
        var restoreOptions = new RestoreOptions { ConnectionString = target.ConnectionString, InputPath = archive.Path, DataOnly = archive.DataOnly, EncryptionPassphrase = passphrase, ExitOnError = true };
        try
        {
            var report = await ErrorTranslation.RunAsync(Operation.Restore, Restore.RestoreRunner.RunAsync(restoreOptions, null, null, cancellationToken), cancellationToken).ConfigureAwait(false);
            foreach (var error in report.Errors)
                problems.Add($"{restoring} into a scratch database: {error}");
            return report.Errors.Count == 0;
        }
        catch (DumpException exception)
        {
            problems.Add($"{restoring} into a scratch database failed: {exception.Message}");
            return false;
        }
    }

    /// <summary>Every table whose rows the manifest records holds exactly that many after the restore.</summary>
    private static async Task CompareRowsAsync(NpgsqlConnectionStringBuilder target, ArchiveManifest manifest, string? compared, List<string> problems, CancellationToken cancellationToken)
    {
        var after = compared is null ? "after a restore" : $"after restoring {compared}";
        var connection = await ServerConnection.OpenAsync(target, cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        foreach (var entry in manifest.Entries)
        {
            if (entry.Kind != ObjectKind.TableData || entry.Data is null)
                continue;
            var count = await ServerConnection.ScalarAsync<long>(connection, $"SELECT count(*) FROM ONLY {SqlText.QuoteQualified(entry.Schema, entry.Name)}", cancellationToken).ConfigureAwait(false);
            if (count != entry.Data.Rows)
                problems.Add($"{entry.QualifiedName} has {count} rows {after}; the manifest says {entry.Data.Rows}");
        }
    }
}
