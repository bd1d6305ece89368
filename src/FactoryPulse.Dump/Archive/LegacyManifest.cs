using FactoryPulse.Dump.Sql;

namespace FactoryPulse.Dump.Archive;

/// <summary>
/// Reads archives of format 1, which stored each entry's SQL as one text (definition, owner, drop and index-first
/// statements), with role references as offsets into that text. The text is split into statements here, once, as
/// the manifest is read — the restore itself only ever runs statement lists.
/// </summary>
internal static class LegacyManifest
{
    public static void Upgrade(ArchiveManifest manifest)
    {
        foreach (var entry in manifest.Entries)
        {
            if (entry is null)
                continue; // refused by the reader's validation
            var starts = new List<int>();
            var definition = entry.Definition ?? "";
            entry.Statements = SqlStatementSplitter.Split(definition, starts);
            MoveReferences(entry, "definition", entry.Statements, starts);
            if (entry.OwnerStatement is { } owner)
            {
                starts.Clear();
                entry.OwnerStatements = SqlStatementSplitter.Split(owner, starts);
                MoveReferences(entry, "owner", entry.OwnerStatements, starts);
            }
            foreach (var reference in entry.RoleReferences)
            {
                if (reference.Field is not ("definition" or "owner"))
                    throw new ArchiveException($"Entry {entry.DisplayName} has a role reference in an unknown field '{reference.Field}'; the manifest is corrupt.");
            }
            entry.DropStatements = SplitOrNull(entry.DropStatement);
            entry.DropIfExistsStatements = SplitOrNull(entry.DropIfExistsStatement);
            if (entry.IndexFirst is { } steps)
            {
                steps.IndexStatements = SqlStatementSplitter.Split(steps.Index ?? "");
                steps.ConstraintStatements = SqlStatementSplitter.Split(steps.Constraint ?? "");
                steps.Index = null;
                steps.Constraint = null;
            }
            entry.Definition = null;
            entry.OwnerStatement = null;
            entry.DropStatement = null;
            entry.DropIfExistsStatement = null;
        }
    }

    private static List<string>? SplitOrNull(string? text) => text is null ? null : SqlStatementSplitter.Split(text);

    /// <summary>Turns offsets into the whole text into a statement index and an offset within that statement.</summary>
    private static void MoveReferences(TocEntry entry, string field, List<string> statements, List<int> starts)
    {
        foreach (var reference in entry.RoleReferences)
        {
            if (reference.Field != field)
                continue;
            var statement = starts.Count - 1;
            while (statement >= 0 && starts[statement] > reference.Offset)
                statement--;
            var offset = statement < 0 ? -1 : reference.Offset - starts[statement];
            if (statement < 0 || reference.Length <= 0 || offset + reference.Length > statements[statement].Length)
                throw new ArchiveException($"Entry {entry.DisplayName} has a role reference outside its {field} text; the manifest is corrupt.");
            reference.Statement = statement;
            reference.Offset = offset;
        }
    }
}
