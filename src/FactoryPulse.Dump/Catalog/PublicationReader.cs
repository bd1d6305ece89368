using FactoryPulse.Dump.Model;

namespace FactoryPulse.Dump.Catalog;

/// <summary>Publications and their members (tables; schemas from PostgreSQL 15).</summary>
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
}
