namespace FactoryPulse.Dump.Restore;

/// <summary>
/// A foreign key between two restored tables, as the target database has it; <c>Validated</c> is convalidated (false
/// for a key added NOT VALID and never validated).
/// </summary>
internal sealed record ForeignKey(string Name, string Table, string ReferencedTable, bool Deferrable, bool InitiallyDeferred, bool Validated = true)
{
    public bool IsSelfReference => Table == ReferencedTable;
}

/// <summary>
/// Load order for a data-only restore: strongly connected components of the foreign-key graph (Tarjan), parents
/// before children. Tables in one component reference each other in a cycle, so only constraints inside a component
/// need deferring — and not self-references, which one COPY satisfies (its checks run at the end of the statement).
/// </summary>
internal static class ForeignKeyGraph
{
    public sealed record Plan(IReadOnlyList<IReadOnlyList<string>> Components, IReadOnlyList<ForeignKey> CycleKeys);

    /// <param name="tables">Restored tables in archive order (ties keep this order).</param>
    /// <param name="keys">Foreign keys whose both ends are among <paramref name="tables"/>.</param>
    public static Plan Build(IReadOnlyList<string> tables, IReadOnlyList<ForeignKey> keys)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < tables.Count; i++)
            index[tables[i]] = i;
        var edges = new List<int>[tables.Count];
        for (var i = 0; i < edges.Length; i++)
            edges[i] = [];
        foreach (var key in keys)
        {
            if (!key.IsSelfReference && index.TryGetValue(key.Table, out var from) && index.TryGetValue(key.ReferencedTable, out var to))
                edges[from].Add(to); // child -> parent
        }

        var components = Tarjan(tables.Count, edges);
        // Tarjan emits a component only after every component it reaches (its parents): that is load order.
        var componentOf = new int[tables.Count];
        for (var c = 0; c < components.Count; c++)
        {
            foreach (var member in components[c])
                componentOf[member] = c;
        }
        var ordered = new List<IReadOnlyList<string>>(components.Count);
        foreach (var component in components)
        {
            component.Sort();
            var names = new List<string>(component.Count);
            foreach (var member in component)
                names.Add(tables[member]);
            ordered.Add(names);
        }
        var cycleKeys = new List<ForeignKey>();
        foreach (var key in keys)
        {
            if (key.IsSelfReference || !index.TryGetValue(key.Table, out var from) || !index.TryGetValue(key.ReferencedTable, out var to))
                continue;
            if (componentOf[from] == componentOf[to])
                cycleKeys.Add(key);
        }
        return new Plan(ordered, cycleKeys);
    }

    private static List<List<int>> Tarjan(int count, List<int>[] edges)
    {
        var indexOf = new int[count];
        var low = new int[count];
        var onStack = new bool[count];
        Array.Fill(indexOf, -1);
        var stack = new Stack<int>();
        var result = new List<List<int>>();
        var next = 0;
        // Iterative, so a long chain of tables cannot overflow the call stack.
        var work = new Stack<(int Node, int Edge)>();
        for (var root = 0; root < count; root++)
        {
            if (indexOf[root] >= 0)
                continue;
            work.Push((root, 0));
            while (work.Count > 0)
            {
                var (node, edge) = work.Pop();
                if (edge == 0)
                {
                    indexOf[node] = low[node] = next++;
                    stack.Push(node);
                    onStack[node] = true;
                }
                var descended = false;
                for (var e = edge; e < edges[node].Count; e++)
                {
                    var target = edges[node][e];
                    if (indexOf[target] < 0)
                    {
                        work.Push((node, e + 1));
                        work.Push((target, 0));
                        descended = true;
                        break;
                    }
                    if (onStack[target])
                        low[node] = Math.Min(low[node], indexOf[target]);
                }
                if (descended)
                    continue;
                if (low[node] == indexOf[node])
                {
                    var component = new List<int>();
                    int member;
                    do
                    {
                        member = stack.Pop();
                        onStack[member] = false;
                        component.Add(member);
                    }
                    while (member != node);
                    result.Add(component);
                }
                if (work.Count > 0)
                {
                    var parent = work.Peek().Node;
                    low[parent] = Math.Min(low[parent], low[node]);
                }
            }
        }
        return result;
    }
}
