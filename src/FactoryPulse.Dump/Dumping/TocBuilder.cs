using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Model;
using FactoryPulse.Dump.Sql;

namespace FactoryPulse.Dump.Dumping;

/// <summary>Turns a sorted object into its archive entry: DDL, owner and drop statements, dependencies, data layout.</summary>
internal static class TocBuilder
{
    public static TocEntry Build(DumpableObject item, DdlContext context)
    {
        var references = new List<RoleReference>();
        var entry = new TocEntry
        {
            DumpId = item.DumpId,
            Section = item.Section,
            Pass = item.Pass,
            Kind = item.Kind,
            Schema = item.Schema,
            Name = item.Name,
            Owner = item.Owner,
            Table = item.Parent is RelationObject relation ? $"{relation.Schema}.{relation.Name}" : null,
            Statements = WriteWithRoles(context, "definition", references, writer => item.WriteCreate(writer, context)),
        };
        // What the platform manages keeps the platform's owner, and --clean never drops it (its grants would go with it).
        if (!item.ManagedByPlatform)
        {
            entry.OwnerStatements = NullIfEmpty(WriteWithRoles(context, "owner", references, writer => item.WriteOwner(writer, context)));
            entry.DropStatements = NullIfEmpty(Write(writer => item.WriteDrop(writer, context, ifExists: false)));
            entry.DropIfExistsStatements = NullIfEmpty(Write(writer => item.WriteDrop(writer, context, ifExists: true)));
        }
        entry.RoleReferences.AddRange(references);
        entry.Facts = FactsOf(item);
        AddPrivilegeTarget(entry, item, context);
        if (item.ManagedByPlatform)
        {
            entry.Facts ??= new EntryFacts();
            entry.Facts.ManagedByPlatform = true;
        }
        if (item is ConstraintObject constraint)
        {
            using var index = new StatementWriter();
            using var adopt = new StatementWriter();
            if (constraint.WriteIndexFirst(index, adopt, context))
                entry.IndexFirst = new IndexFirstSteps { IndexStatements = index.Statements(), ConstraintStatements = adopt.Statements() };
        }
        foreach (var dependency in item.Dependencies)
        {
            if (dependency.DumpId > 0 && dependency is not BoundaryObject)
                entry.Dependencies.Add(dependency.DumpId);
        }
        entry.Dependencies.Sort();
        var roles = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var role in item.RequiredRoles())
        {
            if (role != "public")
                roles.Add(role);
        }
        entry.Roles.AddRange(roles);

        if (item is LargeObjectDataObject)
            entry.Data = new TableDataInfo { File = $"data/{item.DumpId}.dat", Format = DataFormat.LargeObjects };
        if (item is TableDataObject data)
        {
            var info = new TableDataInfo
            {
                File = $"data/{item.DumpId}.dat",
                Format = data.Binary ? DataFormat.Binary : DataFormat.Text,
                Condition = data.Condition,
            };
            if (data.Redactions is { Count: > 0 } redactions)
            {
                info.Redacted = [];
                foreach (var (column, value) in redactions)
                    info.Redacted[column] = value is null ? "NULL" : SqlText.QuoteLiteral(value);
            }
            foreach (var column in data.Table.Columns)
            {
                if (column.GeneratedExpression is null)
                    info.Columns.Add(new DataColumn { Name = column.Name, Type = column.TypeName });
            }
            entry.Data = info;
        }
        return entry;
    }

    /// <summary>What restore, scheduling and the summary need to know about the object, from the catalog rather than its SQL.</summary>
    private static EntryFacts? FactsOf(DumpableObject item) => item switch
    {
        TableObject table => new EntryFacts { Partitioned = table.PartitionKey is not null },
        ConstraintObject constraint => new EntryFacts
        {
            ConstraintType = constraint.ConstraintType switch
            {
                'c' => ConstraintType.Check,
                'p' => ConstraintType.PrimaryKey,
                'u' => ConstraintType.Unique,
                'x' => ConstraintType.Exclusion,
                'f' => ConstraintType.ForeignKey,
                // Any other type is left unrecorded: readers then treat it as the most cautious kind.
                _ => null,
            },
            ReferencedTable = constraint.ReferencedTable is { } referenced ? $"{constraint.ReferencedSchema}.{referenced}" : null,
        },
        DomainConstraintObject => new EntryFacts { ConstraintType = ConstraintType.Check },
        FunctionObject function => new EntryFacts { SecurityDefiner = function.SecurityDefiner },
        SchemaObject schema => new EntryFacts { CreatesSchema = !schema.IsPublic },
        _ => null,
    };

    /// <summary>
    /// What a restore needs to give the object exactly the archived privileges when the target has default privileges:
    /// how GRANT names it and which defaults its creation takes (the same target text the object's ACL entry uses).
    /// </summary>
    private static void AddPrivilegeTarget(TocEntry entry, DumpableObject item, DdlContext context)
    {
        if (item.DefaultAclType is not { } type || DefaultPrivilegeObjectTypes.FromCatalogType(type) is not { } objects || item.PrivilegeTarget(context) is not { } target)
            return;
        entry.Facts ??= new EntryFacts();
        entry.Facts.PrivilegeTarget = target.ToString();
        entry.Facts.DefaultPrivileges = objects;
        if (item is SequenceObject { IdentityKind: not null })
            entry.Facts.CreatedAsOwner = true;
    }

    // One writer per thread, reset for each piece of DDL: tens of thousands of entries then share one buffer instead of
    // growing a fresh one four times each.
    [ThreadStatic]
    private static StatementWriter? t_writer;

    /// <summary>The statements <paramref name="write"/> writes, as the DDL writers end them (no SQL is lexed).</summary>
    private static List<string> Write(Action<StatementWriter> write)
    {
        var writer = t_writer ??= new StatementWriter();
        writer.Reset();
        try
        {
            write(writer);
            return writer.Statements();
        }
        finally
        {
            writer.Reset();
        }
    }

    private static List<string> WriteWithRoles(DdlContext context, string field, List<RoleReference> references, Action<StatementWriter> write)
    {
        context.BeginRoleCapture();
        var positions = new List<(int Statement, int Offset, int Length, string Role)>();
        var statements = context.EndRoleCapture(Write(write), positions);
        foreach (var (statement, offset, length, role) in positions)
            references.Add(new RoleReference { Field = field, Statement = statement, Offset = offset, Length = length, Role = role });
        return statements;
    }

    private static List<string>? NullIfEmpty(List<string> statements) => statements.Count == 0 ? null : statements;
}
