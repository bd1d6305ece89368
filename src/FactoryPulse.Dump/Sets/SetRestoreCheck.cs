using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Sql;
using Npgsql;

namespace FactoryPulse.Dump.Sets;

/// <summary>
/// The restore check of a backup set: the complete archive into one scratch database, the schema archive then the data
/// archive (data-only) into a second, each with zero errors and every table's rows equal to the manifest. The scratch
/// databases get names of their own and are dropped whatever happens; a failure is a problem of the set, never an exception.
/// </summary>
internal static class SetRestoreCheck
{
    public readonly record struct Outcome(VerificationLevel Level, string Description);

    public static async Task<Outcome> RunAsync(BackupSetOptions options, ArchiveManifest manifest, (string Complete, string Schema, string Data) set,
        string? passphrase, List<string> problems, CancellationToken cancellationToken)
    {
        // Its auth and storage tables belong to the platform: a bare server has none, so a restore there proves nothing either way.
        if (manifest.Options.Profile == "supabase")
            return new(VerificationLevel.Checksums, "checksums verified only: a Supabase-profile set restores into a Supabase project (its auth and storage schemas), not into a bare server, so no scratch restore was tried");

        RestoreCheckServer? server = null;
        if (options.RestoreCheckConnectionString is { } given)
        {
            try
            {
                server = new RestoreCheckServer { ConnectionString = given, Description = ServerConnection.Describe(ServerConnection.Resolve(given, nameof(BackupSetOptions.RestoreCheckConnectionString))) };
            }
            catch (Exception exception) when (exception is DumpException or ConnectionStringException)
            {
                problems.Add($"the restore check's scratch server: {exception.Message}");
                return new(VerificationLevel.Checksums, "NOT restore-verified: the scratch server's connection string is not valid (see the warnings)");
            }
        }
        else if (options.StartRestoreCheckServer is { } start)
            server = await start(manifest.ServerVersionNumber / 10000, cancellationToken).ConfigureAwait(false);
        if (server?.ConnectionString is not { } connectionString)
            return new(VerificationLevel.Checksums, "checksums verified only: " + (server?.Description ?? "no scratch server to restore into was given"));

        var before = problems.Count;
        try
        {
            await RestoreIntoScratchAsync(server, connectionString, manifest, set, passphrase, problems, cancellationToken).ConfigureAwait(false);
        }
        catch (DumpException exception)
        {
            problems.Add($"the restore check on {server.Description} failed: {exception.Message}");
        }
        return problems.Count == before
            ? new(VerificationLevel.Restored, $"restore-verified on {server.Description}: the complete archive, and the schema archive then the data archive (data-only), restored into scratch databases with zero errors; every table's rows equal the manifest")
            : new(VerificationLevel.Checksums, $"NOT restore-verified: the restore check on {server.Description} failed (see the warnings)");
    }

    private static async Task RestoreIntoScratchAsync(RestoreCheckServer server, string connectionString, ArchiveManifest manifest, (string Complete, string Schema, string Data) set,
        string? passphrase, List<string> problems, CancellationToken cancellationToken)
    {
        var builder = ServerConnection.Resolve(connectionString, nameof(BackupSetOptions.RestoreCheckConnectionString));
        if (string.IsNullOrEmpty(builder.Database))
            builder.Database = "postgres";
        var maintenance = await ServerConnection.OpenAsync(builder, cancellationToken).ConfigureAwait(false);
        await using var maintenanceScope = maintenance.ConfigureAwait(false);
        if (!await EnsureRolesAsync(maintenance, manifest, server, problems, cancellationToken).ConfigureAwait(false))
            return;

        var stamp = Guid.NewGuid().ToString("N")[..12];
        await ScratchRestore.RunAsync(maintenance, builder, $"{ScratchRestore.ScratchPrefix}{stamp}_complete", manifest,
            [new ScratchArchive(set.Complete, DataOnly: false, "the complete archive")], passphrase, "the complete archive", problems, cancellationToken).ConfigureAwait(false);
        await ScratchRestore.RunAsync(maintenance, builder, $"{ScratchRestore.ScratchPrefix}{stamp}_split", manifest,
            [new ScratchArchive(set.Schema, DataOnly: false, "the schema archive"), new ScratchArchive(set.Data, DataOnly: true, "the data archive (data-only, into the restored schema)")],
            passphrase, "the schema and data archives", problems, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The roles the archive's entries name (owners, grantees) must exist on the scratch server: a server started for the
    /// check gets the missing ones as NOLOGIN roles; on anyone else's server they are reported, never created.
    /// </summary>
    private static async Task<bool> EnsureRolesAsync(NpgsqlConnection maintenance, ArchiveManifest manifest, RestoreCheckServer server, List<string> problems, CancellationToken cancellationToken)
    {
        var needed = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var entry in manifest.Entries)
        {
            foreach (var role in entry.Roles)
                needed.Add(role);
        }
        if (needed.Count == 0)
            return true;
        var existing = new HashSet<string>(StringComparer.Ordinal);
        await Catalog.CatalogQuery.ForEachAsync(maintenance, "SELECT r.rolname FROM pg_catalog.pg_roles r", row => existing.Add(row.String("rolname")), cancellationToken).ConfigureAwait(false);
        var missing = new List<string>();
        foreach (var role in needed)
        {
            if (!existing.Contains(role))
                missing.Add(role);
        }
        if (missing.Count == 0)
            return true;
        if (!server.MayCreateRoles)
        {
            problems.Add($"the scratch server {server.Description} lacks the roles {string.Join(", ", missing)} that the archive needs; create them there (NOLOGIN is enough) or let the check start a throwaway server");
            return false;
        }
        foreach (var role in missing)
            await ServerConnection.ExecuteAsync(maintenance, $"CREATE ROLE {SqlText.QuoteIdentifier(role)} NOLOGIN", cancellationToken).ConfigureAwait(false);
        return true;
    }
}
