using FactoryPulse.Dump.Sql;

namespace FactoryPulse.Dump.Model;

internal sealed record ColumnInfo(
    int Number,
    string Name,
    string TypeName,
    bool NotNull,
    string? GeneratedExpression,
    string? Collation,
    string? Storage,
    int StatisticsTarget,
    uint TypeOid,
    bool IsLocal = true)
{
    /// <summary>Per-column options (n_distinct …) for ALTER COLUMN … SET (…).</summary>
    public string? Options { get; init; }

    /// <summary>TOAST compression set on the column ("pglz" or "lz4"; PostgreSQL 14+), or null for the default.</summary>
    public string? Compression { get; init; }

    /// <summary>STORED, or VIRTUAL (PostgreSQL 18).</summary>
    public bool GeneratedVirtual { get; init; }

    /// <summary>Name of the NOT NULL constraint (PostgreSQL 18 keeps them in pg_constraint).</summary>
    public string? NotNullConstraintName { get; init; }

    /// <summary>A foreign table column's options (attfdwoptions) as OPTIONS (…) text.</summary>
    public string? ForeignOptions { get; init; }
}

internal sealed record InlineCheck(uint Oid, string Name, string Definition, bool IsLocal = true);

/// <summary>Relations share ALTER … OWNER and column comments.</summary>
internal abstract class RelationObject(uint oid, string schema, string name, string owner)
    : DumpableObject(new CatalogId(CatalogClasses.Class, oid), schema, name, owner)
{
    public override int Priority => Priorities.Table;

    protected abstract string Keyword { get; }

    public List<ColumnInfo> Columns { get; } = [];

    public string QualifiedName(DdlContext context) => context.Qualified(Schema, Name);

    // GRANT says TABLE for views, materialized views and foreign tables too.
    public override GrantTarget? PrivilegeTarget(DdlContext context) => new(this is SequenceObject ? "SEQUENCE" : "TABLE", QualifiedName(context));

    public override char? DefaultAclType => this is SequenceObject ? 'S' : 'r';

    public override void WriteOwner(TextWriter writer, DdlContext context)
    {
        writer.Write($"ALTER {Keyword} {QualifiedName(context)} OWNER TO {context.Role(Owner!)};\n");
        writer.EndStatement();
    }

    public override void WriteDrop(TextWriter writer, DdlContext context, bool ifExists)
    {
        writer.Write($"DROP {Keyword} {(ifExists ? "IF EXISTS " : "")}{QualifiedName(context)};\n");
        writer.EndStatement();
    }

    /// <summary>
    /// What CREATE cannot say about a column: storage, compression, statistics target, attribute options. Tables and
    /// materialized views have them (a view's columns cannot); <paramref name="alter"/> is "ALTER TABLE ONLY t" or
    /// "ALTER MATERIALIZED VIEW m".
    /// </summary>
    protected void WriteColumnProperties(TextWriter writer, DdlContext context, string alter, ColumnInfo column)
    {
        var target = $"{alter} ALTER COLUMN {context.Ident(column.Name)}";
        if (column.Storage is not null)
        {
            writer.Write($"{target} SET STORAGE {column.Storage};\n");
            writer.EndStatement();
        }
        if (column.Compression is not null)
        {
            writer.Write($"{target} SET COMPRESSION {column.Compression};\n");
            writer.EndStatement();
        }
        if (column.StatisticsTarget >= 0)
        {
            writer.Write($"{target} SET STATISTICS {column.StatisticsTarget};\n");
            writer.EndStatement();
        }
        if (column.Options is not null)
        {
            writer.Write($"{target} SET ({column.Options});\n");
            writer.EndStatement();
        }
    }

    protected void WriteComments(TextWriter writer, DdlContext context)
    {
        context.WriteComment(writer, $"{Keyword} {QualifiedName(context)}", Id);
        foreach (var column in Columns)
            context.WriteComment(writer, $"COLUMN {QualifiedName(context)}.{context.Ident(column.Name)}", Id, column.Number);
    }
}

internal sealed class TableObject(uint oid, string schema, string name, string owner, bool unlogged, string? options, char replicaIdentity, bool rowSecurity, bool forceRowSecurity)
    : RelationObject(oid, schema, name, owner)
{
    public override ObjectKind Kind => Foreign is null ? ObjectKind.Table : ObjectKind.ForeignTable;

    protected override string Keyword => Foreign is null ? "TABLE" : "FOREIGN TABLE";

    public List<InlineCheck> Checks { get; } = [];

    /// <summary>The server and options of a foreign table; null for a table whose rows are its own.</summary>
    public ForeignTableInfo? Foreign { get; init; }

    /// <summary>PARTITION BY clause (pg_get_partkeydef) of a partitioned table.</summary>
    public string? PartitionKey { get; init; }

    /// <summary>A table access method other than heap (written as USING; pg_dump sets default_table_access_method instead).</summary>
    public string? AccessMethod { get; init; }

    /// <summary>
    /// The table's own tablespace (a partitioned table's is the default of its future partitions); null for the database
    /// default. Written as a TABLESPACE clause. Cleared by <see cref="DumpOptions.NoTablespaces"/>.
    /// </summary>
    public string? Tablespace { get; set; }

    /// <summary>A partition is created as a plain table with every column, then attached (as pg_dump does).</summary>
    public bool IsPartition { get; init; }

    /// <summary>The composite type of a typed table (CREATE TABLE … OF type), as format_type gives it; null for other tables.</summary>
    public string? OfType { get; init; }

    /// <summary>Parents of a table created with INHERITS, in inhseqno order.</summary>
    public List<TableObject> InheritParents { get; } = [];

    /// <summary>A partitioned table's rows are its partitions'; a foreign table's live on its server and are never dumped.</summary>
    public bool HasData => PartitionKey is null && Foreign is null;

    public bool RowSecurity { get; } = rowSecurity;

    public bool ForceRowSecurity { get; } = forceRowSecurity;

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        var qualified = QualifiedName(context);
        writer.Write(Foreign is not null ? "CREATE FOREIGN TABLE " : unlogged ? "CREATE UNLOGGED TABLE " : "CREATE TABLE ");
        writer.Write(qualified);
        // A typed table takes its columns from the type; like pg_dump, only columns with something of their own are
        // listed, as "c WITH OPTIONS …", and without any the parenthesized list is left out.
        var typed = OfType is not null;
        if (typed)
            writer.Write($" OF {OfType}");
        var first = true;
        // INHERITS children list only their own columns and checks; a partition lists everything.
        var inherits = InheritParents.Count > 0 && !IsPartition;
        foreach (var column in Columns)
        {
            if (inherits && !column.IsLocal)
                continue;
            if (typed && !column.NotNull && column.GeneratedExpression is null)
                continue;
            writer.Write(first ? " (\n    " : ",\n    ");
            first = false;
            writer.Write(typed ? $"{context.Ident(column.Name)} WITH OPTIONS" : $"{context.Ident(column.Name)} {column.TypeName}");
            if (column.Collation is not null)
                writer.Write($" COLLATE {column.Collation}");
            if (column.GeneratedExpression is not null)
                writer.Write($" GENERATED ALWAYS AS ({column.GeneratedExpression}) {(column.GeneratedVirtual ? "VIRTUAL" : "STORED")}");
            if (column.NotNull)
                writer.Write(column.NotNullConstraintName is null ? " NOT NULL" : $" CONSTRAINT {context.Ident(column.NotNullConstraintName)} NOT NULL");
        }
        foreach (var check in Checks)
        {
            if (inherits && !check.IsLocal)
                continue;
            writer.Write(first ? " (\n    " : ",\n    ");
            first = false;
            writer.Write($"CONSTRAINT {context.Ident(check.Name)} {check.Definition}");
        }
        if (!first)
            writer.Write("\n)");
        else if (!typed)
            writer.Write(" ()");
        if (inherits)
        {
            writer.Write("\nINHERITS (");
            for (var i = 0; i < InheritParents.Count; i++)
                writer.Write((i > 0 ? ", " : "") + InheritParents[i].QualifiedName(context));
            writer.Write(")");
        }
        if (Foreign is not null)
        {
            writer.Write($"\nSERVER {context.Ident(Foreign.Server)}");
            if (Foreign.Options is not null)
                writer.Write($"\nOPTIONS (\n    {Foreign.Options}\n)");
        }
        if (PartitionKey is not null)
            writer.Write($"\nPARTITION BY {PartitionKey}");
        if (AccessMethod is not null)
            writer.Write($"\nUSING {context.Ident(AccessMethod)}");
        if (options is not null)
            writer.Write($"\nWITH ({options})");
        if (Tablespace is not null && Foreign is null)
            writer.Write($"\nTABLESPACE {context.Ident(Tablespace)}");
        writer.Write(";\n");
        writer.EndStatement();
        var alter = $"ALTER {Keyword} ONLY {qualified} ALTER COLUMN ";
        foreach (var column in Columns)
        {
            if (inherits && !column.IsLocal && column.NotNull)
            {
                writer.Write($"{alter}{context.Ident(column.Name)} SET NOT NULL;\n");
                writer.EndStatement();
            }
            WriteColumnProperties(writer, context, $"ALTER {Keyword} ONLY {qualified}", column);
            // As pg_dump: column options of a foreign table after CREATE, so inherited columns get theirs as well.
            if (column.ForeignOptions is not null)
            {
                writer.Write($"{alter}{context.Ident(column.Name)} OPTIONS (\n    {column.ForeignOptions}\n);\n");
                writer.EndStatement();
            }
        }
        // A foreign table has no replica identity to set (the catalog says NOTHING, and ALTER refuses it).
        switch (Foreign is null ? replicaIdentity : 'd')
        {
            case 'f':
                writer.Write($"ALTER TABLE ONLY {qualified} REPLICA IDENTITY FULL;\n");
                writer.EndStatement();
                break;
            case 'n':
                writer.Write($"ALTER TABLE ONLY {qualified} REPLICA IDENTITY NOTHING;\n");
                writer.EndStatement();
                break;
        }
        // FORCE is a property of the table, kept whether or not row security is enabled (pg_dump writes it here too;
        // ENABLE is the separate ROW SECURITY entry).
        if (ForceRowSecurity)
        {
            writer.Write($"ALTER TABLE ONLY {qualified} FORCE ROW LEVEL SECURITY;\n");
            writer.EndStatement();
        }
        WriteComments(writer, context);
        foreach (var check in Checks)
            context.WriteComment(writer, $"CONSTRAINT {context.Ident(check.Name)} ON {qualified}", new CatalogId(CatalogClasses.Constraint, check.Oid));
    }
}

internal sealed class ViewObject(uint oid, string schema, string name, string owner, string? options, string definition)
    : RelationObject(oid, schema, name, owner)
{
    public string? Options { get; } = options;

    public override ObjectKind Kind => ObjectKind.View;

    protected override string Keyword => "VIEW";

    /// <summary>Set by the sorter to break a loop: CREATE VIEW writes placeholder columns, a later entry the real query.</summary>
    public bool IsPlaceholder { get; set; }

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        writer.Write($"CREATE VIEW {QualifiedName(context)}");
        if (Options is not null)
            writer.Write($" WITH ({Options})");
        writer.Write(" AS\n");
        if (IsPlaceholder)
        {
            // pg_dump's dummy view: same columns and types, no dependencies on what the real query reads.
            var columns = new List<string>(Columns.Count);
            foreach (var column in Columns)
                columns.Add($"NULL::{column.TypeName}{(column.Collation is null ? "" : " COLLATE " + column.Collation)} AS {context.Ident(column.Name)}");
            writer.Write($"SELECT\n    {string.Join(",\n    ", columns)};\n");
            writer.EndStatement();
        }
        else
        {
            WriteDefinition(writer);
        }
        WriteComments(writer, context);
    }

    internal void WriteDefinition(TextWriter writer)
    {
        writer.Write(definition.TrimEnd().TrimEnd(';'));
        writer.Write(";\n");
        writer.EndStatement();
    }
}

/// <summary>CREATE OR REPLACE VIEW with the real query, after the objects a placeholder view could not wait for.</summary>
internal sealed class ViewDefinitionObject(ViewObject view, string? options)
    : DumpableObject(new CatalogId(0, view.Id.ObjectId), view.Schema, view.Name, null)
{
    public override ObjectKind Kind => ObjectKind.ViewDefinition;

    public override int Priority => Priorities.ColumnDefault;

    public override DumpableObject? Parent => view;

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        writer.Write($"CREATE OR REPLACE VIEW {view.QualifiedName(context)}");
        if (options is not null)
            writer.Write($" WITH ({options})");
        writer.Write(" AS\n");
        view.WriteDefinition(writer);
    }

    public override IEnumerable<string> RequiredRoles() => [];
}

internal sealed class MaterializedViewObject(uint oid, string schema, string name, string owner, string? options, string definition, bool populated)
    : RelationObject(oid, schema, name, owner)
{
    public override ObjectKind Kind => ObjectKind.MaterializedView;

    protected override string Keyword => "MATERIALIZED VIEW";

    public bool Populated { get; } = populated;

    /// <summary>A table access method other than heap (written as USING).</summary>
    public string? AccessMethod { get; init; }

    /// <summary>The view's own tablespace; null for the database default. Cleared by <see cref="DumpOptions.NoTablespaces"/>.</summary>
    public string? Tablespace { get; set; }

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        writer.Write($"CREATE MATERIALIZED VIEW {QualifiedName(context)}");
        if (AccessMethod is not null)
            writer.Write($" USING {context.Ident(AccessMethod)}");
        if (options is not null)
            writer.Write($" WITH ({options})");
        if (Tablespace is not null)
            writer.Write($" TABLESPACE {context.Ident(Tablespace)}");
        writer.Write(" AS\n");
        writer.Write(definition.TrimEnd().TrimEnd(';'));
        // Populated after the data by a REFRESH entry, like pg_dump.
        writer.Write("\n  WITH NO DATA;\n");
        writer.EndStatement();
        foreach (var column in Columns)
            WriteColumnProperties(writer, context, $"ALTER MATERIALIZED VIEW {QualifiedName(context)}", column);
        WriteComments(writer, context);
    }
}

internal sealed record SequenceOptions(string TypeName, long Start, long Increment, long Min, long Max, long Cache, bool Cycle);

/// <summary>A sequence: free-standing, OWNED BY a column, or the sequence behind an identity column.</summary>
internal sealed class SequenceObject(uint oid, string schema, string name, string owner, bool unlogged, SequenceOptions sequenceOptions)
    : RelationObject(oid, schema, name, owner)
{
    public override ObjectKind Kind => ObjectKind.Sequence;

    public override DumpableObject? Parent => OwnedBy?.Table;

    protected override string Keyword => "SEQUENCE";

    public SequenceOptions Options { get; } = sequenceOptions;

    /// <summary>Owning column (OWNED BY, or the identity column when <see cref="IdentityKind"/> is set).</summary>
    public (TableObject Table, string Column)? OwnedBy { get; set; }

    /// <summary>'a' (ALWAYS) or 'd' (BY DEFAULT) for identity sequences, else null.</summary>
    public char? IdentityKind { get; set; }

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        var options = $"    START WITH {Options.Start}\n    INCREMENT BY {Options.Increment}\n    MINVALUE {Options.Min}\n    MAXVALUE {Options.Max}\n    CACHE {Options.Cache}{(Options.Cycle ? "\n    CYCLE" : "")}";
        if (IdentityKind is { } identity && OwnedBy is { } identityColumn)
        {
            writer.Write($"ALTER TABLE {identityColumn.Table.QualifiedName(context)} ALTER COLUMN {context.Ident(identityColumn.Column)} ADD GENERATED {(identity == 'a' ? "ALWAYS" : "BY DEFAULT")} AS IDENTITY (\n");
            writer.Write($"    SEQUENCE NAME {QualifiedName(context)}\n{options}\n);\n");
            writer.EndStatement();
            if (unlogged)
            {
                writer.Write($"ALTER SEQUENCE {QualifiedName(context)} SET UNLOGGED;\n");
                writer.EndStatement();
            }
        }
        else
        {
            // OWNED BY is its own entry (SequenceOwnedByObject), after this one's owner is set: the server requires the
            // sequence and the table to have the same owner when they are linked.
            writer.Write($"CREATE {(unlogged ? "UNLOGGED " : "")}SEQUENCE {QualifiedName(context)}\n    AS {Options.TypeName}\n{options};\n");
            writer.EndStatement();
        }
        WriteComments(writer, context);
    }

    public override void WriteOwner(TextWriter writer, DdlContext context)
    {
        // An identity sequence always belongs to its table's owner.
        if (IdentityKind is null)
            base.WriteOwner(writer, context);
    }

    public override void WriteDrop(TextWriter writer, DdlContext context, bool ifExists)
    {
        if (IdentityKind is null)
            base.WriteDrop(writer, context, ifExists);
    }
}

/// <summary>
/// ALTER SEQUENCE … OWNED BY, as pg_dump's "SEQUENCE OWNED BY" entry: after the sequence and its table exist and both
/// have their owners (linking a sequence to a table owned by another role fails).
/// </summary>
internal sealed class SequenceOwnedByObject(SequenceObject sequence, TableObject table, string column)
    : DumpableObject(new CatalogId(0, sequence.Id.ObjectId), sequence.Schema, sequence.Name, null)
{
    public SequenceObject Sequence { get; } = sequence;

    public override ObjectKind Kind => ObjectKind.SequenceOwnedBy;

    public override DumpableObject? Parent => table;

    public override int Priority => Priorities.Table;

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        writer.Write($"ALTER SEQUENCE {Sequence.QualifiedName(context)} OWNED BY {table.QualifiedName(context)}.{context.Ident(column)};\n");
        writer.EndStatement();
    }
}

/// <summary>ALTER TABLE … ATTACH PARTITION: after both tables exist, before the data.</summary>
internal sealed class PartitionAttachObject(TableObject parent, TableObject partition, string bound)
    : DumpableObject(new CatalogId(0, partition.Id.ObjectId), partition.Schema, partition.Name, null)
{
    public override ObjectKind Kind => ObjectKind.TableAttach;

    public override DumpableObject? Parent => partition;

    public override int Priority => Priorities.TableAttach;

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        writer.Write($"ALTER TABLE ONLY {parent.QualifiedName(context)} ATTACH PARTITION {partition.QualifiedName(context)} {bound};\n");
        writer.EndStatement();
    }

    public override void WriteDrop(TextWriter writer, DdlContext context, bool ifExists)
    {
        writer.Write($"ALTER TABLE {(ifExists ? "IF EXISTS " : "")}{parent.QualifiedName(context)} DETACH PARTITION {partition.QualifiedName(context)};\n");
        writer.EndStatement();
    }

    public override IEnumerable<string> RequiredRoles() => [];
}

/// <summary>A column default, kept apart from CREATE TABLE so sequences and functions it calls can come between.</summary>
internal sealed class ColumnDefaultObject(uint oid, RelationObject relation, string column, string expression, bool onView)
    : DumpableObject(new CatalogId(CatalogClasses.AttrDef, oid), relation.Schema, relation.Name + "." + column, relation.Owner)
{
    public override ObjectKind Kind => ObjectKind.Default;

    public override DumpableObject? Parent => relation;

    public override int Priority => Priorities.ColumnDefault;

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        writer.Write($"ALTER {(onView ? "VIEW" : "TABLE ONLY")} {relation.QualifiedName(context)} ALTER COLUMN {context.Ident(column)} SET DEFAULT {expression};\n");
        writer.EndStatement();
    }

    public override void WriteDrop(TextWriter writer, DdlContext context, bool ifExists)
    {
        writer.Write($"ALTER {(onView ? "VIEW" : "TABLE")} {(ifExists ? "IF EXISTS " : "")}{(onView ? "" : "ONLY ")}{relation.QualifiedName(context)} ALTER COLUMN {context.Ident(column)} DROP DEFAULT;\n");
        writer.EndStatement();
    }

    public override IEnumerable<string> RequiredRoles() => [];
}

internal sealed class RowSecurityObject(TableObject table)
    : DumpableObject(new CatalogId(0, table.Id.ObjectId), table.Schema, table.Name, table.Owner)
{
    public override ObjectKind Kind => ObjectKind.RowSecurity;

    public override DumpableObject? Parent => table;

    public override int Priority => Priorities.Policy;

    public override Section Section => Section.PostData;

    public override string SortDetail => "\0";

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        // FORCE goes with the table itself (TableObject), so it survives without ENABLE.
        writer.Write($"ALTER TABLE {table.QualifiedName(context)} ENABLE ROW LEVEL SECURITY;\n");
        writer.EndStatement();
    }

    public override IEnumerable<string> RequiredRoles() => [];
}

/// <summary>The data of one table: a COPY stream in the archive.</summary>
internal sealed class TableDataObject(TableObject table, bool binary)
    : DumpableObject(new CatalogId(0, table.Id.ObjectId), table.Schema, table.Name, table.Owner)
{
    public TableObject Table { get; } = table;

    /// <summary>Binary COPY unless a column's binary form would embed oids of user types (Dumping.CopyFormatChooser decides).</summary>
    public bool Binary { get; } = binary;

    /// <summary>Redacted columns: name → the value written instead (null means NULL), set by Dumping.RedactionPlanner.</summary>
    public IReadOnlyDictionary<string, string?>? Redactions { get; set; }

    /// <summary>For an extension's configuration table: the extension's WHERE clause choosing the user's rows.</summary>
    public string? Condition { get; init; }

    /// <summary>An extension configuration table belongs to its extension (filters follow the extension).</summary>
    public ExtensionObject? Extension { get; init; }

    public override ObjectKind Kind => ObjectKind.TableData;

    public override DumpableObject? Parent => Extension ?? (DumpableObject)Table;

    public override int Priority => Priorities.TableData;

    public override Section Section => Section.Data;

    public IReadOnlyList<string> CopyColumns()
    {
        var columns = new List<string>(Table.Columns.Count);
        foreach (var column in Table.Columns)
        {
            // Generated columns are computed again on load.
            if (column.GeneratedExpression is null)
                columns.Add(column.Name);
        }
        return columns;
    }

    public override void WriteCreate(TextWriter writer, DdlContext context) { }

    public override IEnumerable<string> RequiredRoles() => [];
}

internal sealed class SequenceSetObject(SequenceObject sequence, long lastValue, bool isCalled)
    : DumpableObject(new CatalogId(0, sequence.Id.ObjectId), sequence.Schema, sequence.Name, sequence.Owner)
{
    public override ObjectKind Kind => ObjectKind.SequenceSet;

    public override DumpableObject? Parent => sequence;

    public override int Priority => Priorities.SequenceSet;

    public override Section Section => Section.Data;

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        writer.Write($"SELECT pg_catalog.setval({SqlText.QuoteLiteral(sequence.QualifiedName(context))}, {lastValue}, {(isCalled ? "true" : "false")});\n");
        writer.EndStatement();
    }

    public override IEnumerable<string> RequiredRoles() => [];
}

internal sealed class RefreshMaterializedViewObject(MaterializedViewObject view)
    : DumpableObject(new CatalogId(0, view.Id.ObjectId), view.Schema, view.Name, view.Owner)
{
    public override ObjectKind Kind => ObjectKind.MaterializedViewData;

    public override DumpableObject? Parent => view;

    public override int Priority => Priorities.RefreshMaterializedView;

    public override Section Section => Section.PostData;

    public override RestorePass Pass => RestorePass.PostAcl;

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        writer.Write($"REFRESH MATERIALIZED VIEW {view.QualifiedName(context)};\n");
        writer.EndStatement();
    }

    public override IEnumerable<string> RequiredRoles() => [];
}

/// <summary>One large object's existence, owner and comment (pg_dump's BLOB); its bytes travel in the BLOBS data entry.</summary>
internal sealed class LargeObjectObject(uint oid, string owner)
    : DumpableObject(new CatalogId(CatalogClasses.LargeObject, oid), null, oid.ToString(System.Globalization.CultureInfo.InvariantCulture), owner)
{
    public override ObjectKind Kind => ObjectKind.LargeObject;

    public override int Priority => Priorities.LargeObject;

    public override GrantTarget? PrivilegeTarget(DdlContext context) => new("LARGE OBJECT", Name);

    public override char? DefaultAclType => 'L';

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        writer.Write($"SELECT pg_catalog.lo_create('{Name}');\n");
        writer.EndStatement();
        context.WriteComment(writer, $"LARGE OBJECT {Name}", Id);
    }

    public override void WriteOwner(TextWriter writer, DdlContext context)
    {
        writer.Write($"ALTER LARGE OBJECT {Name} OWNER TO {context.Role(Owner!)};\n");
        writer.EndStatement();
    }

    public override void WriteDrop(TextWriter writer, DdlContext context, bool ifExists)
    {
        writer.Write($"SELECT pg_catalog.lo_unlink(oid) FROM pg_catalog.pg_largeobject_metadata WHERE oid = '{Name}';\n");
        writer.EndStatement();
    }
}

/// <summary>The contents of every large object, in one data file.</summary>
internal sealed class LargeObjectDataObject()
    : DumpableObject(new CatalogId(0, 0), null, "BLOBS", null)
{
    public override ObjectKind Kind => ObjectKind.LargeObjectData;

    public override int Priority => Priorities.LargeObjectData;

    public override Section Section => Section.Data;

    public override void WriteCreate(TextWriter writer, DdlContext context) { }

    public override IEnumerable<string> RequiredRoles() => [];
}
