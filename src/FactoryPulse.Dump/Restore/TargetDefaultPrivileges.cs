using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Catalog;
using FactoryPulse.Dump.Sql;
using Npgsql;

namespace FactoryPulse.Dump.Restore;

/// <summary>
/// The target's default privileges (ALTER DEFAULT PRIVILEGES), as they apply to the objects a restore creates, and what
/// takes them back off one object. The server gives a new object its creator's global defaults for the kind (else the
/// built-in acldefault) merged with the creator's defaults for the schema; the archive's ACL entries are differences
/// from the built-in default, so each created object is first returned to it — right after its CREATE, before its
/// owner changes, in the same batch. Nothing global is touched: a restore that fails or is killed leaves the target's
/// pg_default_acl as it was.
/// </summary>
internal sealed class TargetDefaultPrivileges
{
    /// <summary>One privilege as aclexplode gives it; <see cref="Grantee"/> null is PUBLIC.</summary>
    internal readonly record struct Item(string? Grantee, string Privilege, bool Grantable);

    /// <summary>A pg_default_acl row (<see cref="Schema"/> null: global), or with no schema the built-in default of a role and kind.</summary>
    internal sealed record Row(string Role, string? Schema, char ObjectType, IReadOnlyList<Item> Items);

    private readonly string _restoringRole;

    // (creating role, defaclobjtype, schema or null) → the changes that return a new object to the built-in default.
    // Built once and only read afterwards, so --jobs workers share it without locks.
    private readonly Dictionary<(string Role, char Type, string? Schema), List<Change>> _undo;

    private TargetDefaultPrivileges(string restoringRole, Dictionary<(string Role, char Type, string? Schema), List<Change>> undo)
    {
        _restoringRole = restoringRole;
        _undo = undo;
    }

    private enum Action
    {
        Revoke,
        RevokeGrantOption,
        Grant,
        GrantWithGrantOption,
    }

    private readonly record struct Change(Action Action, string? Grantee, string Privileges);

    /// <summary>
    /// The undo for each role, kind and schema the rows have defaults for; null when no default differs from the built-in
    /// one (the common case: the restore then does nothing extra).
    /// </summary>
    /// <param name="restoringRole">current_user: the role that creates the objects.</param>
    /// <param name="defaults">pg_default_acl rows.</param>
    /// <param name="builtIn">acldefault for each role and kind of <paramref name="defaults"/> (Schema null).</param>
    public static TargetDefaultPrivileges? Create(string restoringRole, IReadOnlyList<Row> defaults, IReadOnlyList<Row> builtIn)
    {
        var builtInItems = new Dictionary<(string Role, char Type), IReadOnlyList<Item>>();
        foreach (var row in builtIn)
            builtInItems[(row.Role, row.ObjectType)] = row.Items;
        var global = new Dictionary<(string Role, char Type), IReadOnlyList<Item>>();
        foreach (var row in defaults)
        {
            if (row.Schema is null)
                global[(row.Role, row.ObjectType)] = row.Items;
        }

        var undo = new Dictionary<(string Role, char Type, string? Schema), List<Change>>();
        var any = false;
        foreach (var row in defaults)
        {
            var kind = (row.Role, row.ObjectType);
            var reference = builtInItems.GetValueOrDefault(kind) ?? [];
            // A global row replaces the built-in default; a schema row adds to whichever of the two applies.
            var basis = global.GetValueOrDefault(kind) ?? reference;
            if (!undo.ContainsKey((row.Role, row.ObjectType, null)))
            {
                var changes = Difference(Merge(basis, []), reference);
                undo[(row.Role, row.ObjectType, null)] = changes;
                any |= changes.Count > 0;
            }
            if (row.Schema is not null)
            {
                var changes = Difference(Merge(basis, row.Items), reference);
                undo[(row.Role, row.ObjectType, row.Schema)] = changes;
                any |= changes.Count > 0;
            }
        }
        return any ? new TargetDefaultPrivileges(restoringRole, undo) : null;
    }

    /// <summary>
    /// The statements that return the object <paramref name="entry"/> creates to the built-in default privileges, to run
    /// after its creation and before its owner statements; null when none are needed or the archive has no target for it.
    /// </summary>
    /// <param name="entry">The archive entry.</param>
    /// <param name="withOwner">The entry's owner is set (not --no-owner): an object created as its owner takes that owner's defaults.</param>
    public IReadOnlyList<string>? UndoFor(TocEntry entry, bool withOwner)
    {
        if (entry.Facts is not { PrivilegeTarget: { } target, DefaultPrivileges: { } objects } facts)
            return null;
        var role = facts.CreatedAsOwner == true && withOwner && entry.Owner is not null ? entry.Owner : _restoringRole;
        var type = objects.CatalogType();
        var schema = objects is DefaultPrivilegeObjects.Schemas or DefaultPrivilegeObjects.LargeObjects ? null : entry.Schema;
        if ((!_undo.TryGetValue((role, type, schema), out var changes) && !_undo.TryGetValue((role, type, null), out changes)) || changes.Count == 0)
            return null;
        return StatementsFor(changes, target);
    }

    /// <summary>The undo statements for an object named <paramref name="target"/> (as GRANT names it) created by <paramref name="role"/>.</summary>
    internal IReadOnlyList<string> StatementsFor(string role, char objectType, string? schema, string target) =>
        _undo.TryGetValue((role, objectType, schema), out var changes) || _undo.TryGetValue((role, objectType, null), out changes)
            ? StatementsFor(changes, target)
            : [];

    private static List<string> StatementsFor(List<Change> changes, string target)
    {
        var statements = new List<string>(changes.Count);
        foreach (var change in changes)
        {
            var grantee = change.Grantee is null ? "PUBLIC" : SqlText.QuoteIdentifier(change.Grantee);
            statements.Add(change.Action switch
            {
                Action.Revoke => $"REVOKE {change.Privileges} ON {target} FROM {grantee};",
                Action.RevokeGrantOption => $"REVOKE GRANT OPTION FOR {change.Privileges} ON {target} FROM {grantee};",
                Action.Grant => $"GRANT {change.Privileges} ON {target} TO {grantee};",
                _ => $"GRANT {change.Privileges} ON {target} TO {grantee} WITH GRANT OPTION;",
            });
        }
        return statements;
    }

    /// <summary>What the server's aclmerge gives: each grantee's privileges from both lists, a grant option if either has it.</summary>
    private static Dictionary<(string? Grantee, string Privilege), bool> Merge(IReadOnlyList<Item> first, IReadOnlyList<Item> second)
    {
        var merged = new Dictionary<(string? Grantee, string Privilege), bool>();
        foreach (var item in first)
            merged[(item.Grantee, item.Privilege)] = merged.GetValueOrDefault((item.Grantee, item.Privilege)) || item.Grantable;
        foreach (var item in second)
            merged[(item.Grantee, item.Privilege)] = merged.GetValueOrDefault((item.Grantee, item.Privilege)) || item.Grantable;
        return merged;
    }

    /// <summary>REVOKEs of what <paramref name="result"/> has beyond <paramref name="reference"/>, GRANTs of what it lacks; one statement per grantee and action.</summary>
    private static List<Change> Difference(Dictionary<(string? Grantee, string Privilege), bool> result, IReadOnlyList<Item> reference)
    {
        var wanted = Merge(reference, []);
        // Grouped per action and grantee in first-seen order, so the statements are the same every time.
        var groups = new List<(Action Action, string? Grantee, List<string> Privileges)>();
        void Add(Action action, string? grantee, string privilege)
        {
            foreach (var group in groups)
            {
                if (group.Action == action && group.Grantee == grantee)
                {
                    group.Privileges.Add(privilege);
                    return;
                }
            }
            groups.Add((action, grantee, [privilege]));
        }
        foreach (var ((grantee, privilege), grantable) in result)
        {
            if (!wanted.TryGetValue((grantee, privilege), out var wantedGrantable))
                Add(Action.Revoke, grantee, privilege);
            else if (grantable && !wantedGrantable)
                Add(Action.RevokeGrantOption, grantee, privilege);
        }
        foreach (var ((grantee, privilege), wantedGrantable) in wanted)
        {
            if (!result.TryGetValue((grantee, privilege), out var grantable))
                Add(wantedGrantable ? Action.GrantWithGrantOption : Action.Grant, grantee, privilege);
            else if (wantedGrantable && !grantable)
                Add(Action.GrantWithGrantOption, grantee, privilege);
        }
        var changes = new List<Change>(groups.Count);
        foreach (var (action, grantee, privileges) in groups)
            changes.Add(new Change(action, grantee, string.Join(", ", privileges)));
        return changes;
    }

    /// <summary>
    /// Reads the target's default privileges and the built-in defaults they differ from; null when there are none (one
    /// query against an empty catalog table in the common case).
    /// </summary>
    public static async Task<TargetDefaultPrivileges?> ReadAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var defaults = new List<Row>();
        var builtIn = new List<Row>();
        string? restoringRole = null;
        await CatalogQuery.ForEachAsync(connection,
            """
            WITH d AS (
              SELECT d.oid, d.defaclrole, d.defaclnamespace, d.defaclobjtype, NULLIF(d.defaclacl, '{}') AS acl FROM pg_catalog.pg_default_acl d
            ), rows AS (
              -- aclexplode rejects an empty list (everything revoked): such a row is kept with no items.
              SELECT d.oid AS id, false AS built_in, d.defaclrole AS role, n.nspname AS schema, d.defaclobjtype AS object_type, a.grantee, a.privilege_type, a.is_grantable
              FROM d LEFT JOIN pg_catalog.pg_namespace n ON n.oid = d.defaclnamespace
              LEFT JOIN LATERAL pg_catalog.aclexplode(d.acl) a ON true
              UNION ALL
              SELECT 0, true, k.defaclrole, NULL, k.defaclobjtype, a.grantee, a.privilege_type, a.is_grantable
              FROM (SELECT DISTINCT defaclrole, defaclobjtype FROM d) k
              CROSS JOIN LATERAL pg_catalog.aclexplode(pg_catalog.acldefault(CASE k.defaclobjtype WHEN 'S' THEN 's'::"char" ELSE k.defaclobjtype END, k.defaclrole)) a
            )
            SELECT r.id, r.built_in, pg_catalog.pg_get_userbyid(r.role)::text AS role, r.schema::text, r.object_type::text,
                   CASE WHEN r.grantee = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(r.grantee)::text END AS grantee,
                   r.privilege_type, r.is_grantable, CURRENT_USER::text AS restoring_role
            FROM rows r
            ORDER BY r.built_in, r.role, r.object_type, r.id
            """,
            row =>
            {
                restoringRole = row.String("restoring_role");
                var list = row.Bool("built_in") ? builtIn : defaults;
                var role = row.String("role");
                var schema = row.NullableString("schema");
                var type = row.Char("object_type");
                if (list.Count == 0 || list[^1].Role != role || list[^1].Schema != schema || list[^1].ObjectType != type)
                    list.Add(new Row(role, schema, type, new List<Item>()));
                if (!row.IsNull("privilege_type"))
                    ((List<Item>)list[^1].Items).Add(new Item(row.NullableString("grantee"), row.String("privilege_type"), row.Bool("is_grantable")));
            }, cancellationToken).ConfigureAwait(false);
        return restoringRole is null ? null : Create(restoringRole, defaults, builtIn);
    }
}
