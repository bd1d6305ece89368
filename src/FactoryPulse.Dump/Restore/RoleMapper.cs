using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Sql;

namespace FactoryPulse.Dump.Restore;

/// <summary>
/// --role-map OLD=NEW: rewrites owners, grantees, grantors and policy roles at the positions the dump recorded for
/// them (never by searching the text, so a column that happens to share a role's name is left alone).
/// </summary>
internal static class RoleMapper
{
    public static void Apply(IReadOnlyList<TocEntry> entries, IReadOnlyDictionary<string, string> map)
    {
        if (map.Count == 0)
            return;
        foreach (var entry in entries)
        {
            Rewrite(entry, entry.Statements, "definition", map);
            if (entry.OwnerStatements is not null)
                Rewrite(entry, entry.OwnerStatements, "owner", map);
            if (entry.Owner is not null && map.TryGetValue(entry.Owner, out var owner))
                entry.Owner = owner;
            for (var i = 0; i < entry.Roles.Count; i++)
            {
                if (map.TryGetValue(entry.Roles[i], out var role))
                    entry.Roles[i] = role;
            }
        }
    }

    private static void Rewrite(TocEntry entry, List<string> statements, string field, IReadOnlyDictionary<string, string> map)
    {
        var references = entry.RoleReferences.FindAll(reference => reference.Field == field);
        // From the end of each statement, so earlier offsets stay valid while later names change length.
        references.Sort((a, b) => a.Statement != b.Statement ? b.Statement.CompareTo(a.Statement) : b.Offset.CompareTo(a.Offset));
        foreach (var reference in references)
        {
            if (reference.Statement < 0 || reference.Statement >= statements.Count)
                throw new ArchiveException($"Entry {entry.DisplayName} has a role reference to a statement it does not have; the manifest is corrupt.");
            var text = statements[reference.Statement];
            if (reference.Offset < 0 || reference.Length <= 0 || reference.Offset + reference.Length > text.Length)
                throw new ArchiveException($"Entry {entry.DisplayName} has a role reference outside its {field} text; the manifest is corrupt.");
            if (!map.TryGetValue(reference.Role, out var replacement))
                continue;
            statements[reference.Statement] = string.Concat(text.AsSpan(0, reference.Offset), SqlText.QuoteIdentifier(replacement), text.AsSpan(reference.Offset + reference.Length));
        }
    }
}
