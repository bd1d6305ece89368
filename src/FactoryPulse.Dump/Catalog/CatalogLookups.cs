using FactoryPulse.Dump.Model;

namespace FactoryPulse.Dump.Catalog;

/// <summary>
/// Facts about one pg_type row: enough to follow domains and arrays to their base and a row type to its relation, and
/// whether the type has a binary send function. <paramref name="BuiltInName"/> is the name of a type in pg_catalog, else null.
/// </summary>
internal readonly record struct TypeShape(char Type, uint BaseType, uint Element, bool HasSend, uint RelationId, string? BuiltInName);

/// <summary>
/// The state the family readers share while one catalog is read: every object read so far, by catalog oid, so that later
/// readers can attach to earlier ones and <see cref="Resolve"/> can turn pg_depend rows into edges. Each lookup names the
/// reader that fills it; <see cref="CatalogReader"/> lists the order in which they run (a reader only looks up what an
/// earlier one filled). After the read the lookups are dropped; the <see cref="DatabaseCatalog"/> keeps the objects.
/// </summary>
internal sealed class CatalogLookups
{
    /// <summary>Every object to dump, in the order read (TypeReader onward; ACLs last).</summary>
    public List<DumpableObject> Objects { get; } = [];

    /// <summary>Objects of kinds without a lookup of their own (collations, aggregates, operators, …), by catalog id; see <see cref="AddOther"/>.</summary>
    public Dictionary<CatalogId, DumpableObject> Others { get; } = [];

    /// <summary>TypeReader.ReadTypeShapesAsync: every pg_type row, user and built-in.</summary>
    public Dictionary<uint, TypeShape> TypeShapes { get; } = [];

    /// <summary>
    /// Types that stand for another object in dependencies: user array types for their element (TypeReader.ReadTypeShapesAsync),
    /// multiranges for their range and composite relations for their type (TypeReader.ReadTypesAsync).
    /// </summary>
    public Dictionary<uint, uint> TypeAliases { get; } = [];

    /// <summary>SchemaAndExtensionReader.ReadSchemasAsync.</summary>
    public Dictionary<uint, SchemaObject> Schemas { get; } = [];

    /// <summary>SchemaAndExtensionReader.ReadSchemasAsync; every object with a schema depends on it by name.</summary>
    public Dictionary<string, SchemaObject> SchemasByName { get; } = new(StringComparer.Ordinal);

    /// <summary>SchemaAndExtensionReader.ReadExtensionsAsync.</summary>
    public Dictionary<uint, ExtensionObject> Extensions { get; } = [];

    /// <summary>TypeReader.ReadTypesAsync.</summary>
    public Dictionary<uint, TypeObject> Types { get; } = [];

    /// <summary>RoutineReader.ReadFunctionsAsync (functions and procedures; aggregates are in <see cref="Others"/>).</summary>
    public Dictionary<uint, FunctionObject> Functions { get; } = [];

    /// <summary>Operator class and family members, attached by RoutineReader.AttachOperatorClassMembers once every operator and function is known.</summary>
    public List<(DumpableObject? Owner, OperatorClassMember Member)> PendingOperatorClassMembers { get; } = [];

    /// <summary>RelationReader.ReadRelationsAsync: tables, views, materialized views, sequences.</summary>
    public Dictionary<uint, RelationObject> Relations { get; } = [];

    /// <summary>RelationReader.ReadExtensionConfigTablesAsync: extension tables whose user rows are data (not in <see cref="Relations"/>).</summary>
    public List<(TableObject Table, string? Condition, ExtensionObject Extension)> ExtensionConfigTables { get; } = [];

    /// <summary>The same tables by oid, so RelationReader.ReadColumnsAsync can give them columns.</summary>
    public Dictionary<uint, TableObject> ExtensionConfigByOid { get; } = [];

    /// <summary>RelationReader.ReadDefaultsAsync.</summary>
    public Dictionary<uint, ColumnDefaultObject> Defaults { get; } = [];

    /// <summary>
    /// What a pg_constraint oid stands for: a domain (its valid CHECK, TypeReader), a NOT VALID domain constraint,
    /// a table (its inline CHECK) or a constraint object (ConstraintAndIndexReader.ReadConstraintsAsync).
    /// </summary>
    public Dictionary<uint, DumpableObject> Constraints { get; } = [];

    /// <summary>Index relations: key constraints by their index, and plain indexes (ConstraintAndIndexReader).</summary>
    public Dictionary<uint, DumpableObject> Indexes { get; } = [];

    /// <summary>PolicyTriggerRuleReader.ReadTriggersAsync.</summary>
    public Dictionary<uint, TriggerObject> Triggers { get; } = [];

    /// <summary>PolicyTriggerRuleReader.ReadPoliciesAsync.</summary>
    public Dictionary<uint, PolicyObject> Policies { get; } = [];

    /// <summary>PublicationReader.</summary>
    public Dictionary<uint, PublicationObject> Publications { get; } = [];

    /// <summary>What the dump leaves out and why (PublicationReader: subscriptions without a superuser).</summary>
    public List<string> Warnings { get; } = [];

    /// <summary>PublicationReader.</summary>
    public Dictionary<uint, PublicationTableObject> PublicationTables { get; } = [];

    /// <summary>SchemaAndExtensionReader.ReadLargeObjectsAsync.</summary>
    public List<LargeObjectObject> LargeObjects { get; } = [];

    /// <summary>DependencyReader: a view's _RETURN rule stands for the view.</summary>
    public Dictionary<uint, uint> RewriteToView { get; } = [];

    /// <summary>
    /// DependencyReader: what each inline CHECK (valid, inside CREATE TABLE) references, in pg_depend order, by constraint oid.
    /// A fact for the sorting phase, which decides whether a CHECK stays inline (Sorting.CheckConstraintPlacement).
    /// </summary>
    public Dictionary<uint, List<DumpableObject>> InlineCheckReferences { get; } = [];

    /// <summary>Registers an object of a kind without its own lookup table, so dependencies can find it.</summary>
    public void AddOther(DumpableObject item)
    {
        Others[item.Id] = item;
        Objects.Add(item);
    }

    public SchemaObject? SchemaNamed(string? name) => name is not null && SchemasByName.TryGetValue(name, out var schema) ? schema : null;

    /// <summary>The dumped object a pg_depend address stands for, or null when the dump does not create it.</summary>
    public DumpableObject? Resolve(uint classId, uint objectId)
    {
        switch (classId)
        {
            case CatalogClasses.Class:
                if (Relations.TryGetValue(objectId, out var relation))
                    return relation;
                if (Indexes.TryGetValue(objectId, out var index))
                    return index;
                return TypeAliases.TryGetValue(objectId, out var compositeType) && Types.TryGetValue(compositeType, out var composite) ? composite : null;
            case CatalogClasses.Type:
                if (Types.TryGetValue(objectId, out var type))
                    return type;
                if (TypeAliases.TryGetValue(objectId, out var element))
                    return Resolve(CatalogClasses.Type, element);
                // A table's row type stands for the table.
                return TypeShapes.TryGetValue(objectId, out var shape) && shape.RelationId != 0 ? Resolve(CatalogClasses.Class, shape.RelationId) : null;
            case CatalogClasses.Proc:
                return Functions.TryGetValue(objectId, out var function) ? function : Others.GetValueOrDefault(new CatalogId(classId, objectId));
            case CatalogClasses.Namespace:
                return Schemas.GetValueOrDefault(objectId);
            case CatalogClasses.Constraint:
                return Constraints.GetValueOrDefault(objectId);
            case CatalogClasses.AttrDef:
                return Defaults.GetValueOrDefault(objectId);
            case CatalogClasses.Rewrite:
                if (RewriteToView.TryGetValue(objectId, out var view))
                    return Relations.GetValueOrDefault(view);
                return Others.GetValueOrDefault(new CatalogId(classId, objectId));
            case CatalogClasses.Trigger:
                return Triggers.GetValueOrDefault(objectId);
            case CatalogClasses.Policy:
                return Policies.GetValueOrDefault(objectId);
            case CatalogClasses.Extension:
                return Extensions.GetValueOrDefault(objectId);
            case CatalogClasses.Publication:
                return Publications.GetValueOrDefault(objectId);
            case CatalogClasses.PublicationRel:
                return PublicationTables.GetValueOrDefault(objectId);
            default:
                return Others.GetValueOrDefault(new CatalogId(classId, objectId));
        }
    }
}
