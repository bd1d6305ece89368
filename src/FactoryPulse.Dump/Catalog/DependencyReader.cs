using FactoryPulse.Dump.Model;

namespace FactoryPulse.Dump.Catalog;

/// <summary>pg_depend: the edges between the objects every other reader registered in <see cref="CatalogLookups"/>.</summary>
internal sealed class DependencyReader(CatalogSession session) : CatalogFamilyReader(session)
{
    public async Task ReadDependenciesAsync()
    {
        await Query("SELECT r.oid, r.ev_class FROM pg_catalog.pg_rewrite r WHERE r.oid >= 16384 AND r.rulename = '_RETURN'",
            row => Lookups.RewriteToView[row.Oid("oid")] = row.Oid("ev_class")).ConfigureAwait(false);
        await Query(
            """
            SELECT d.classid, d.objid, d.refclassid, d.refobjid FROM pg_catalog.pg_depend d
            WHERE d.deptype IN ('n', 'a') AND d.objid >= 16384
            """,
            row =>
            {
                var dependent = Lookups.Resolve(row.Oid("classid"), row.Oid("objid"));
                var referenced = Lookups.Resolve(row.Oid("refclassid"), row.Oid("refobjid"));
                if (dependent is null || referenced is null)
                    return;
                // An inline CHECK's references are kept as facts: whether the CHECK stays in CREATE TABLE (and they are the
                // table's) is decided when sorting (Sorting.CheckConstraintPlacement).
                if (row.Oid("classid") == CatalogClasses.Constraint && dependent is TableObject table && IsInlineCheck(table, row.Oid("objid")))
                {
                    if (!Lookups.InlineCheckReferences.TryGetValue(row.Oid("objid"), out var references))
                        Lookups.InlineCheckReferences[row.Oid("objid")] = references = [];
                    references.Add(referenced);
                    return;
                }
                // A sequence OWNED BY a column points at its table on purpose (ReadSequencesAsync); the reverse
                // "table uses sequence" edge lives on the column default instead.
                dependent.AddDependency(referenced);
            }).ConfigureAwait(false);
    }

    private static bool IsInlineCheck(TableObject table, uint constraintOid) => table.Checks.Exists(check => check.Oid == constraintOid);
}
