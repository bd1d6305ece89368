using FactoryPulse.Dump.Model;

namespace FactoryPulse.Dump.Sorting;

/// <summary>
/// pg_dump_sort.c in small: order by kind priority and name, then a topological sort that takes, among the
/// objects whose dependencies are all placed, the one earliest in that order — so output is deterministic and
/// disturbs name order as little as the dependencies allow. Boundary objects keep pre-data, data and post-data apart.
/// </summary>
internal static class DependencySorter
{
    public static List<DumpableObject> Sort(IReadOnlyList<DumpableObject> objects)
    {
        var input = new List<DumpableObject>(objects);
        // Each repair removes one loop for good, so this ends; the bound only guards against a repair that does not.
        for (var attempt = 0; ; attempt++)
        {
            var sorted = TrySort(input, out var loop);
            if (sorted is not null)
                return sorted;
            if (attempt > 1000 || !LoopRepair.TryRepair(loop!, input))
                throw new UnsupportedObjectException($"Cannot order objects that depend on each other in a loop: {string.Join(" -> ", loop!)}.");
        }
    }

    private static List<DumpableObject>? TrySort(List<DumpableObject> objects, out List<DumpableObject>? loop)
    {
        loop = null;
        var all = new List<DumpableObject>(objects.Count + 2);
        all.AddRange(objects);
        MoveConstraintsNeededBeforeData(all);

        var preBoundary = new BoundaryObject(preData: true);
        var postBoundary = new BoundaryObject(preData: false);
        // Each object is in the list once, so the boundaries take it without AddDependency's duplicate scan: with
        // tens of thousands of pre-data objects that scan made this loop quadratic.
        foreach (var item in all)
        {
            if (item.Pass != RestorePass.Main)
                continue;
            switch (item.Section)
            {
                case Section.PreData:
                    preBoundary.Dependencies.Add(item);
                    break;
                case Section.Data:
                    item.AddDependency(preBoundary);
                    postBoundary.Dependencies.Add(item);
                    break;
                case Section.PostData:
                    item.AddDependency(postBoundary);
                    break;
            }
        }
        postBoundary.AddDependency(preBoundary);
        all.Add(preBoundary);
        all.Add(postBoundary);

        all.Sort(CompareByPriorityAndName);
        var position = new Dictionary<DumpableObject, int>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < all.Count; i++)
            position[all[i]] = i;

        // Kahn's algorithm; the heap hands out the earliest ready object in name order.
        var waitingOn = new int[all.Count];
        var dependents = new List<int>[all.Count];
        for (var i = 0; i < all.Count; i++)
            dependents[i] = [];
        for (var i = 0; i < all.Count; i++)
        {
            foreach (var dependency in all[i].Dependencies)
            {
                if (!position.TryGetValue(dependency, out var j))
                    continue;
                waitingOn[i]++;
                dependents[j].Add(i);
            }
        }
        var ready = new PriorityQueue<int, int>();
        for (var i = 0; i < all.Count; i++)
        {
            if (waitingOn[i] == 0)
                ready.Enqueue(i, i);
        }
        var sorted = new List<DumpableObject>(all.Count);
        while (ready.TryDequeue(out var next, out _))
        {
            if (all[next] is not BoundaryObject)
                sorted.Add(all[next]);
            foreach (var dependent in dependents[next])
            {
                if (--waitingOn[dependent] == 0)
                    ready.Enqueue(dependent, dependent);
            }
        }
        if (sorted.Count != all.Count - 2)
        {
            loop = FindLoop(all, waitingOn, position);
            return null;
        }

        for (var i = 0; i < sorted.Count; i++)
            sorted[i].DumpId = i + 1;
        return sorted;
    }

    /// <summary>
    /// A view or function may depend on a primary key (GROUP BY on the key, for example); that constraint then has to
    /// exist before the data, like pg_dump does when it keeps such a constraint with its table.
    /// </summary>
    private static void MoveConstraintsNeededBeforeData(List<DumpableObject> all)
    {
        foreach (var item in all)
        {
            if (item.Section != Section.PreData || item.Pass != RestorePass.Main)
                continue;
            foreach (var dependency in item.Dependencies)
            {
                if (dependency is ConstraintObject { ConstraintType: 'p' or 'u' } constraint)
                    constraint.NeededBeforeData = true;
            }
        }
    }

    internal static int CompareByPriorityAndName(DumpableObject a, DumpableObject b)
    {
        var result = a.Priority.CompareTo(b.Priority);
        if (result != 0)
            return result;
        result = string.CompareOrdinal(a.Schema ?? string.Empty, b.Schema ?? string.Empty);
        if (result != 0)
            return result;
        result = string.CompareOrdinal(a.Name, b.Name);
        if (result != 0)
            return result;
        result = string.CompareOrdinal(a.SortDetail, b.SortDetail);
        if (result != 0)
            return result;
        result = string.CompareOrdinal(a.Kind.TocName(), b.Kind.TocName());
        return result != 0 ? result : a.Id.ObjectId.CompareTo(b.Id.ObjectId);
    }

    private static List<DumpableObject> FindLoop(List<DumpableObject> all, int[] waitingOn, Dictionary<DumpableObject, int> position)
    {
        // Walk from a stuck object along stuck dependencies until an object repeats: that is the loop.
        var start = Array.FindIndex(waitingOn, count => count > 0);
        var path = new List<int>();
        var seen = new Dictionary<int, int>();
        var current = start;
        while (current >= 0 && !seen.ContainsKey(current))
        {
            seen[current] = path.Count;
            path.Add(current);
            var nextIndex = -1;
            foreach (var dependency in all[current].Dependencies)
            {
                if (position.TryGetValue(dependency, out var j) && waitingOn[j] > 0)
                {
                    nextIndex = j;
                    break;
                }
            }
            current = nextIndex;
        }
        var loopStart = current >= 0 ? seen[current] : 0;
        var loop = new List<DumpableObject>();
        for (var i = loopStart; i < path.Count; i++)
            loop.Add(all[path[i]]);
        return loop;
    }
}
