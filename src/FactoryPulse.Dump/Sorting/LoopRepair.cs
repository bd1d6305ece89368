using FactoryPulse.Dump.Model;

namespace FactoryPulse.Dump.Sorting;

/// <summary>
/// pg_dump_sort.c's repairDependencyLoop, for the loops real schemas have: a view and a function that use each
/// other (placeholder view first, the real query later), and a domain whose CHECK calls a function taking the
/// domain (the constraint is added after the function). Boundary loops are not repairable here.
/// </summary>
internal static class LoopRepair
{
    public static bool TryRepair(List<DumpableObject> loop, List<DumpableObject> objects)
    {
        foreach (var item in loop)
        {
            if (item is ViewObject { IsPlaceholder: false } view)
            {
                SplitView(view, objects);
                return true;
            }
        }
        foreach (var item in loop)
        {
            if (item is DomainObject domain && SplitDomainConstraints(domain, loop, objects))
                return true;
        }
        return false;
    }

    private static void SplitView(ViewObject view, List<DumpableObject> objects)
    {
        var definition = new ViewDefinitionObject(view, view.Options);
        foreach (var dependency in view.Dependencies)
            definition.AddDependency(dependency);
        definition.AddDependency(view);
        // The placeholder needs only its schema and the types of its columns.
        view.Dependencies.RemoveAll(dependency => dependency is not (SchemaObject or TypeObject));
        view.IsPlaceholder = true;
        objects.Add(definition);
    }

    private static bool SplitDomainConstraints(DomainObject domain, List<DumpableObject> loop, List<DumpableObject> objects)
    {
        var moved = false;
        foreach (var constraint in domain.Constraints)
        {
            if (!constraint.Validated || !domain.SeparateConstraints.Add(constraint.Oid))
                continue;
            var separate = new DomainConstraintObject(domain, constraint);
            separate.AddDependency(domain);
            foreach (var dependency in domain.Dependencies)
            {
                if (dependency is not (SchemaObject or TypeObject))
                    separate.AddDependency(dependency);
            }
            objects.Add(separate);
            moved = true;
        }
        if (moved)
            domain.Dependencies.RemoveAll(dependency => loop.Contains(dependency) && dependency is not (SchemaObject or TypeObject));
        return moved;
    }
}
