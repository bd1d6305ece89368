using FactoryPulse.Dump.Model;

namespace FactoryPulse.Dump.Catalog;

/// <summary>Publications and their members (tables; schemas from PostgreSQL 15), and subscriptions.</summary>
internal sealed class PublicationReader(CatalogSession session) : CatalogFamilyReader(session)
{
    public async Task ReadPublicationsAsync()
    {
        await Query(
            """
            SELECT p.oid, p.pubname, pg_catalog.pg_get_userbyid(p.pubowner) AS owner, p.puballtables,
                   p.pubinsert, p.pubupdate, p.pubdelete, p.pubtruncate, p.pubviaroot
            FROM pg_catalog.pg_publication p ORDER BY p.pubname
            """,
            row =>
            {
                var operations = new List<string>(4);
                if (row.Bool("pubinsert")) operations.Add("insert");
                if (row.Bool("pubupdate")) operations.Add("update");
                if (row.Bool("pubdelete")) operations.Add("delete");
                if (row.Bool("pubtruncate")) operations.Add("truncate");
                var publication = new PublicationObject(row.Oid("oid"), row.String("pubname"), row.String("owner"), row.Bool("puballtables"),
                    string.Join(", ", operations), row.Bool("pubviaroot"));
                Lookups.Publications[publication.Id.ObjectId] = publication;
                Lookups.Objects.Add(publication);
            }).ConfigureAwait(false);

        var columnsAndFilter = Features.HasPublicationColumnListsAndRowFilters
            ? """
              pg_catalog.pg_get_expr(pr.prqual, pr.prrelid) AS row_filter,
              CASE WHEN pr.prattrs IS NULL THEN NULL
                   ELSE ARRAY(SELECT a.attname::text FROM pg_catalog.unnest(pr.prattrs) WITH ORDINALITY AS u(attnum, position)
                              JOIN pg_catalog.pg_attribute a ON a.attrelid = pr.prrelid AND a.attnum = u.attnum ORDER BY u.position) END AS columns
              """
            : "NULL::text AS row_filter, NULL::text[] AS columns";
        if (Features.HasPublicationSchemas)
        {
            await Query(
                "SELECT pn.oid, pn.pnpubid, n.nspname FROM pg_catalog.pg_publication_namespace pn JOIN pg_catalog.pg_namespace n ON n.oid = pn.pnnspid",
                row =>
                {
                    if (!Lookups.Publications.TryGetValue(row.Oid("pnpubid"), out var publication))
                        return;
                    var member = new PublicationSchemaObject(row.Oid("oid"), publication, row.String("nspname"));
                    member.AddDependency(publication);
                    member.AddDependency(Lookups.SchemaNamed(member.Schema));
                    Lookups.AddOther(member);
                }).ConfigureAwait(false);
        }
        await Query(
            $"SELECT pr.oid, pr.prpubid, pr.prrelid, {columnsAndFilter} FROM pg_catalog.pg_publication_rel pr",
            row =>
            {
                if (!Lookups.Publications.TryGetValue(row.Oid("prpubid"), out var publication) || !Lookups.Relations.TryGetValue(row.Oid("prrelid"), out var relation))
                    return;
                var member = new PublicationTableObject(row.Oid("oid"), publication, relation, row.StringArray("columns"), row.NullableString("row_filter"));
                member.AddDependency(publication);
                member.AddDependency(relation);
                Lookups.PublicationTables[member.Id.ObjectId] = member;
                Lookups.Objects.Add(member);
            }).ConfigureAwait(false);
    }

    /// <summary>
    /// The current database's subscriptions. As pg_dump: only a superuser can read the connection strings
    /// (pg_subscription.subconninfo), so for anyone else they are left out with a warning when there are any.
    /// </summary>
    public async Task ReadSubscriptionsAsync()
    {
        var superuser = false;
        var count = 0;
        await Query(
            """
            SELECT (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user) AS superuser,
                   (SELECT count(*) FROM pg_catalog.pg_subscription s
                    WHERE s.subdbid = (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()))::int AS subscriptions
            """,
            row =>
            {
                superuser = row.Bool("superuser");
                count = row.Int("subscriptions");
            }).ConfigureAwait(false);
        if (count == 0)
            return;
        if (!superuser)
        {
            Lookups.Warnings.Add($"{count} subscription(s) not dumped: reading their connection strings needs a superuser (as pg_dump).");
            return;
        }
        var version = Features.VersionNumber;
        // Options by the version that introduced them; substream is a boolean before 16 and a char ('f', 't', 'p') from 16.
        var binary = version >= 140000 ? "s.subbinary" : "false";
        var streaming = version >= 160000 ? "s.substream::text" : version >= 140000 ? "CASE WHEN s.substream THEN 't' ELSE 'f' END" : "'f'";
        var twoPhase = version >= 150000 ? "s.subtwophasestate <> 'd'" : "false";
        var disableOnError = version >= 150000 ? "s.subdisableonerr" : "false";
        var origin = version >= 160000 ? "s.suborigin" : "'any'";
        var passwordRequired = version >= 160000 ? "s.subpasswordrequired" : "true";
        var runAsOwner = version >= 160000 ? "s.subrunasowner" : "false";
        var failover = version >= 170000 ? "s.subfailover" : "false";
        await Query(
            $"""
            SELECT s.oid, s.subname, pg_catalog.pg_get_userbyid(s.subowner) AS owner, s.subconninfo, s.subslotname::text AS slot_name,
                   s.subsynccommit, s.subpublications::text[] AS publications, {binary} AS binary, {streaming} AS streaming,
                   {twoPhase} AS two_phase, {disableOnError} AS disable_on_error, {origin} AS origin,
                   {passwordRequired} AS password_required, {runAsOwner} AS run_as_owner, {failover} AS failover
            FROM pg_catalog.pg_subscription s
            WHERE s.subdbid = (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database())
            ORDER BY s.subname
            """,
            row =>
            {
                var synchronousCommit = row.String("subsynccommit");
                var origin = row.String("origin");
                var definition = new SubscriptionDefinition(row.String("subconninfo"), row.StringArray("publications") ?? [], row.NullableString("slot_name"),
                    row.Bool("binary"), row.String("streaming") switch { "t" => "on", "p" => "parallel", _ => null }, row.Bool("two_phase"),
                    row.Bool("disable_on_error"), synchronousCommit == "off" ? null : synchronousCommit,
                    string.Equals(origin, "any", StringComparison.OrdinalIgnoreCase) ? null : origin,
                    row.Bool("password_required"), row.Bool("run_as_owner"), row.Bool("failover"));
                Lookups.Objects.Add(new SubscriptionObject(row.Oid("oid"), row.String("subname"), row.String("owner"), definition));
            }).ConfigureAwait(false);
    }
}
