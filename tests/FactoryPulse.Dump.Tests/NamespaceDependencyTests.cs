using ArchUnitNET.Domain;
using ArchUnitNET.Loader;
using Xunit.Abstractions;

namespace FactoryPulse.Dump.Tests;

/// <summary>
/// The library's folders depend on each other one way: no namespace inside FactoryPulse.Dump uses, directly or
/// through others, a namespace that uses it. The graph comes from the built assembly (ArchUnitNET reads every type's
/// references, method bodies included), so a qualified name counts as much as a using.
/// </summary>
public sealed class NamespaceDependencyTests(ITestOutputHelper output)
{
    private const string Root = "FactoryPulse.Dump";

    private static readonly Lazy<SortedDictionary<string, SortedSet<string>>> Graph = new(BuildGraph);

    [Fact]
    public void No_namespace_in_the_library_takes_part_in_a_dependency_cycle()
    {
        var graph = Graph.Value;
        foreach (var (from, targets) in graph)
            output.WriteLine($"{from} -> {string.Join(", ", targets)}");
        var cycles = FindCycles(graph);
        cycles.Should().BeEmpty("namespaces must depend on each other one way; found:\n" + string.Join("\n", cycles));
    }

    /// <summary>Namespace → namespaces its types use. The root namespace is split: its public contract types (options,
    /// results, exceptions, progress, enums, error translation) are used by every folder, while its entry points use the folders.</summary>
    private static SortedDictionary<string, SortedSet<string>> BuildGraph()
    {
        var architecture = new ArchLoader().LoadAssemblies(typeof(DatabaseDumper).Assembly).Build();
        var graph = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var type in architecture.Types)
        {
            var from = NodeOf(type);
            if (from is null)
                continue;
            if (!graph.TryGetValue(from, out var targets))
                graph[from] = targets = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var dependency in type.Dependencies)
            {
                var to = NodeOf(dependency.Target);
                if (to is not null && to != from)
                    targets.Add(to);
            }
        }
        return graph;
    }

    /// <summary>Entry points: the root namespace's types that reach into a folder; every other root type is the contract.</summary>
    private static string? NodeOf(IType? type)
    {
        // Generic parameters and some compiler-made references have no namespace: they are not a folder's.
        var name = type?.Namespace?.FullName;
        if (type is null || name is null || (name != Root && !name.StartsWith(Root + ".", StringComparison.Ordinal)))
            return null;
        if (name != Root)
            return name[(Root.Length + 1)..];
        return EntryPoints.Contains(TopLevelName(type)) ? "(entry points)" : "(contract)";
    }

    private static string TopLevelName(IType type)
    {
        var name = type.FullName[(Root.Length + 1)..];
        var end = name.IndexOfAny(['+', '`', '<']);
        return end < 0 ? name : name[..end];
    }

    private static readonly HashSet<string> EntryPoints = new(StringComparer.Ordinal)
    {
        "DatabaseDumper", "DatabaseRestorer", "DatabaseCopier", "ArchiveVerifier", "BackupSet",
    };

    /// <summary>Strongly connected components with more than one namespace (Tarjan), each printed as its members.</summary>
    private static List<string> FindCycles(SortedDictionary<string, SortedSet<string>> graph)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var cycles = new List<string>();
        var counter = 0;

        void Visit(string node)
        {
            index[node] = low[node] = counter++;
            stack.Push(node);
            onStack.Add(node);
            foreach (var next in graph.GetValueOrDefault(node) ?? [])
            {
                if (!index.ContainsKey(next))
                {
                    Visit(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (onStack.Contains(next))
                    low[node] = Math.Min(low[node], index[next]);
            }
            if (low[node] != index[node])
                return;
            var members = new List<string>();
            string member;
            do
            {
                member = stack.Pop();
                onStack.Remove(member);
                members.Add(member);
            }
            while (member != node);
            if (members.Count > 1)
            {
                members.Sort(StringComparer.Ordinal);
                var edges = new List<string>();
                foreach (var from in members)
                {
                    foreach (var to in graph[from])
                    {
                        if (members.Contains(to))
                            edges.Add($"{from} -> {to}");
                    }
                }
                cycles.Add($"cycle among {string.Join(", ", members)}: {string.Join("; ", edges)}");
            }
        }

        foreach (var node in graph.Keys)
        {
            if (!index.ContainsKey(node))
                Visit(node);
        }
        return cycles;
    }
}
