using FactoryPulse.Dump.Model;

namespace FactoryPulse.Dump.Sorting;

/// <summary>
/// Where each valid CHECK goes, decided from what the catalog says it references: inside CREATE TABLE, as pg_dump writes
/// them, unless it calls a user function or aggregate — then it leaves CREATE TABLE and is added after the data
/// (pg_dump's repair of the table/constraint loop): the function may read the table, as a SQL-standard body does.
/// Inherited checks (partitions, INHERITS children, partitioned parents) stay inline to keep their inheritance bookkeeping.
/// </summary>
internal static class CheckConstraintPlacement
{
    /// <summary>
    /// Gives each table the dependencies of its inline CHECKs, and moves the CHECKs that must leave CREATE TABLE into
    /// constraint objects of their own, appended to <paramref name="objects"/>. <paramref name="references"/> holds, by
    /// constraint oid, what each CHECK references in pg_depend order: what comes before its first function stays with the
    /// table, the rest goes with the separate constraint (as when the split happened while pg_depend was read).
    /// </summary>
    public static void Apply(IReadOnlyList<TableObject> tables, IReadOnlyDictionary<uint, List<DumpableObject>> references, List<DumpableObject> objects)
    {
        foreach (var table in tables)
        {
            var inheritsChecks = table.IsPartition || table.InheritParents.Count > 0 || table.PartitionKey is not null;
            for (var i = 0; i < table.Checks.Count; i++)
            {
                var check = table.Checks[i];
                if (!references.TryGetValue(check.Oid, out var checkReferences))
                    continue;
                var firstRoutine = inheritsChecks ? -1 : checkReferences.FindIndex(reference => reference is FunctionObject or AggregateObject);
                var stayingWithTable = firstRoutine < 0 ? checkReferences.Count : firstRoutine;
                for (var j = 0; j < stayingWithTable; j++)
                    table.AddDependency(checkReferences[j]);
                if (firstRoutine < 0)
                    continue;
                table.Checks.RemoveAt(i--);
                var constraint = new ConstraintObject(check.Oid, table, check.Name, 'c', check.Definition);
                constraint.AddDependency(table);
                for (var j = firstRoutine; j < checkReferences.Count; j++)
                    constraint.AddDependency(checkReferences[j]);
                objects.Add(constraint);
            }
        }
    }
}
