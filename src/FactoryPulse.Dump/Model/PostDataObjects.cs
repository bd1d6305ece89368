using FactoryPulse.Dump.Sql;

namespace FactoryPulse.Dump.Model;

internal sealed class IndexObject(uint oid, RelationObject table, string name, string definition, bool clustered)
    : DumpableObject(new CatalogId(CatalogClasses.Class, oid), table.Schema, name, null)
{
    public RelationObject Table { get; } = table;

    /// <summary>The table's REPLICA IDENTITY USING INDEX points here.</summary>
    public bool ReplicaIdentity { get; init; }

    /// <summary>Statistics targets of expression columns (ALTER INDEX … ALTER COLUMN n SET STATISTICS).</summary>
    public IReadOnlyList<(int Column, int Target)> ColumnStatistics { get; init; } = [];

    /// <summary>The index's own tablespace; null for the database default. Cleared by <see cref="DumpOptions.NoTablespaces"/>.</summary>
    public string? Tablespace { get; set; }

    /// <summary>A partial index's predicate (pg_get_expr of indpred), which pg_get_indexdef ends with after " WHERE ".</summary>
    public string? Predicate { get; init; }

    public override ObjectKind Kind => ObjectKind.Index;

    public override DumpableObject? Parent => Table;

    public override int Priority => Priorities.Index;

    public override Section Section => Section.PostData;

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        writer.Write(DefinitionWithTablespace(context));
        writer.Write(";\n");
        writer.EndStatement();
        if (clustered)
        {
            writer.Write($"ALTER TABLE {Table.QualifiedName(context)} CLUSTER ON {context.Ident(Name)};\n");
            writer.EndStatement();
        }
        foreach (var (column, target) in ColumnStatistics)
        {
            writer.Write($"ALTER INDEX {context.Qualified(Schema, Name)} ALTER COLUMN {column} SET STATISTICS {target};\n");
            writer.EndStatement();
        }
        if (ReplicaIdentity)
        {
            writer.Write($"ALTER TABLE ONLY {Table.QualifiedName(context)} REPLICA IDENTITY USING INDEX {context.Ident(Name)};\n");
            writer.EndStatement();
        }
        context.WriteComment(writer, $"INDEX {context.Qualified(Schema, Name)}", Id);
    }

    /// <summary>
    /// pg_get_indexdef leaves the tablespace out; CREATE INDEX takes it after WITH (…) and before WHERE, so it goes in front of
    /// the predicate, which both pg_get_indexdef and pg_get_expr deparse the same way. (pg_dump sets default_tablespace before
    /// the entry instead; a clause keeps the entry's statements independent of the session that runs them.)
    /// </summary>
    private string DefinitionWithTablespace(DdlContext context)
    {
        if (Tablespace is null)
            return definition;
        var clause = $" TABLESPACE {context.Ident(Tablespace)}";
        if (Predicate is null)
            return definition + clause;
        var where = " WHERE " + Predicate;
        if (!definition.EndsWith(where, StringComparison.Ordinal))
            throw new DumpException($"The definition of index {Schema}.{Name} does not end with its predicate: {definition}");
        return string.Concat(definition.AsSpan(0, definition.Length - where.Length), clause, where);
    }

    public override void WriteDrop(TextWriter writer, DdlContext context, bool ifExists)
    {
        writer.Write($"DROP INDEX {(ifExists ? "IF EXISTS " : "")}{context.Qualified(Schema, Name)};\n");
        writer.EndStatement();
    }
}

/// <summary>ALTER INDEX … ATTACH PARTITION: ties a partition's index to its partitioned parent's index.</summary>
internal sealed class IndexAttachObject(DumpableObject childIndex, string parentSchema, string parentName, string childSchema, string childName)
    : DumpableObject(new CatalogId(0, childIndex.Id.ObjectId), childSchema, childName, null)
{
    public override ObjectKind Kind => ObjectKind.IndexAttach;

    public override DumpableObject? Parent => childIndex;

    public override int Priority => Priorities.IndexAttach;

    public override Section Section => Section.PostData;

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        writer.Write($"ALTER INDEX {context.Qualified(parentSchema, parentName)} ATTACH PARTITION {context.Qualified(Schema, Name)};\n");
        writer.EndStatement();
    }

    public override IEnumerable<string> RequiredRoles() => [];
}

/// <summary>PRIMARY KEY, UNIQUE, EXCLUDE, NOT VALID CHECK and FOREIGN KEY constraints, added after the data.</summary>
internal sealed class ConstraintObject(uint oid, RelationObject table, string name, char type, string definition)
    : DumpableObject(new CatalogId(CatalogClasses.Constraint, oid), table.Schema, name, null)
{
    public RelationObject Table { get; } = table;

    public char ConstraintType { get; } = type;

    public override ObjectKind Kind => ConstraintType == 'f' ? ObjectKind.ForeignKeyConstraint : ObjectKind.Constraint;

    public override DumpableObject? Parent => Table;

    /// <summary>The table's REPLICA IDENTITY USING INDEX names this constraint's index.</summary>
    public bool ReplicaIdentity { get; init; }

    /// <summary>CLUSTER ON this constraint's index.</summary>
    public bool Clustered { get; init; }

    /// <summary>Set when a pre-data object (a view grouping by the key) needs this constraint to exist.</summary>
    public bool NeededBeforeData { get; set; }

    /// <summary>pg_get_indexdef of a PRIMARY KEY or UNIQUE constraint's index.</summary>
    public string? IndexDefinition { get; init; }

    public string? IndexName { get; init; }

    /// <summary>The index's access method (btree; gist for 18's WITHOUT OVERLAPS keys).</summary>
    public string? IndexMethod { get; init; }

    /// <summary>The tablespace of the constraint's index, null for the default (USING INDEX TABLESPACE). Cleared by <see cref="DumpOptions.NoTablespaces"/>.</summary>
    public string? IndexTablespace { get; set; }

    /// <summary>Storage parameters of the constraint's index (its reloptions, "name=value, …").</summary>
    public string? IndexOptions { get; init; }

    /// <summary>An exclusion constraint's WHERE predicate, as pg_get_expr deparses it.</summary>
    public string? IndexPredicate { get; init; }

    public bool Deferrable { get; init; }

    public bool InitiallyDeferred { get; init; }

    /// <summary>A foreign key's referenced table (pg_constraint.confrelid), unquoted.</summary>
    public string? ReferencedSchema { get; init; }

    public string? ReferencedTable { get; init; }

    /// <summary>
    /// Writes the constraint as two steps with the same result: its unique index, built like any other index (so a
    /// parallel restore builds it beside the table's other indexes, under a SHARE lock), then ADD CONSTRAINT … USING
    /// INDEX, which only adopts it. False where USING INDEX does not apply: other constraint kinds, partitioned tables
    /// and partitions (their keys are attached across the partition tree), and indexes in their own tablespace.
    /// </summary>
    public bool WriteIndexFirst(TextWriter index, TextWriter constraint, DdlContext context)
    {
        // USING INDEX adopts only a unique btree index; a key's index always is unique.
        if (ConstraintType is not ('p' or 'u') || NeededBeforeData || IndexDefinition is null || IndexName is null
            || Table is not TableObject { PartitionKey: null, IsPartition: false } || IndexMethod != "btree" || IndexTablespace is not null)
        {
            return false;
        }
        index.Write($"{IndexDefinition};\n");
        index.EndStatement();
        var kind = ConstraintType == 'p' ? "PRIMARY KEY" : "UNIQUE";
        var deferral = Deferrable ? InitiallyDeferred ? " DEFERRABLE INITIALLY DEFERRED" : " DEFERRABLE" : "";
        constraint.Write($"ALTER TABLE ONLY {Table.QualifiedName(context)}\n    ADD CONSTRAINT {context.Ident(Name)} {kind} USING INDEX {context.Ident(IndexName)}{deferral};\n");
        constraint.EndStatement();
        WriteAfterCreate(constraint, context);
        return true;
    }

    public override int Priority => NeededBeforeData ? Priorities.ColumnDefault : ConstraintType == 'f' ? Priorities.ForeignKey : Priorities.Constraint;

    public override Section Section => NeededBeforeData ? Section.PreData : Section.PostData;

    public override string SortDetail => Table.Name;

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        // A foreign key on a partitioned table is added without ONLY so every partition gets its clone; a (NOT VALID)
        // CHECK never takes ONLY, as in pg_dump: the server refuses ONLY on a table with children, and the children's
        // inherited copies come from this statement (the reader skips them).
        var only = ConstraintType == 'c' || (ConstraintType == 'f' && Table is TableObject { PartitionKey: not null }) ? "" : "ONLY ";
        writer.Write($"ALTER TABLE {only}{Table.QualifiedName(context)}\n    ADD CONSTRAINT {context.Ident(Name)} {DefinitionWithIndexParameters(context)};\n");
        writer.EndStatement();
        WriteAfterCreate(writer, context);
    }

    /// <summary>
    /// pg_get_constraintdef of a key or exclusion constraint says nothing of its index's tablespace, nor of a key's WITH (…);
    /// both are index parameters, which the grammar places after INCLUDE (…) / WITH (…) and before an exclusion constraint's
    /// WHERE (…) and the DEFERRABLE attributes the deparser ends with.
    /// </summary>
    private string DefinitionWithIndexParameters(DdlContext context)
    {
        if (ConstraintType is not ('p' or 'u' or 'x'))
            return definition;
        // an exclusion constraint's definition carries its WITH (…) already
        var parameters = (ConstraintType != 'x' && IndexOptions is not null ? $" WITH ({IndexOptions})" : "")
                         + (IndexTablespace is not null ? $" USING INDEX TABLESPACE {context.Ident(IndexTablespace)}" : "");
        if (parameters.Length == 0)
            return definition;
        var tail = (ConstraintType == 'x' && IndexPredicate is not null ? $" WHERE ({IndexPredicate})" : "")
                   + (Deferrable ? InitiallyDeferred ? " DEFERRABLE INITIALLY DEFERRED" : " DEFERRABLE" : "");
        if (!definition.EndsWith(tail, StringComparison.Ordinal))
            throw new DumpException($"The definition of constraint {Name} on {Table.Schema}.{Table.Name} does not end as expected ('{tail}'): {definition}");
        return string.Concat(definition.AsSpan(0, definition.Length - tail.Length), parameters, tail);
    }

    private void WriteAfterCreate(TextWriter writer, DdlContext context)
    {
        if (Clustered)
        {
            writer.Write($"ALTER TABLE {Table.QualifiedName(context)} CLUSTER ON {context.Ident(Name)};\n");
            writer.EndStatement();
        }
        if (ReplicaIdentity)
        {
            writer.Write($"ALTER TABLE ONLY {Table.QualifiedName(context)} REPLICA IDENTITY USING INDEX {context.Ident(Name)};\n");
            writer.EndStatement();
        }
        context.WriteComment(writer, $"CONSTRAINT {context.Ident(Name)} ON {Table.QualifiedName(context)}", Id);
    }

    public override void WriteDrop(TextWriter writer, DdlContext context, bool ifExists)
    {
        writer.Write($"ALTER TABLE {(ifExists ? "IF EXISTS " : "")}ONLY {Table.QualifiedName(context)} DROP CONSTRAINT {(ifExists ? "IF EXISTS " : "")}{context.Ident(Name)};\n");
        writer.EndStatement();
    }
}

internal sealed class TriggerObject(uint oid, RelationObject table, string name, string definition, char enabled)
    : DumpableObject(new CatalogId(CatalogClasses.Trigger, oid), table.Schema, name, null)
{
    public RelationObject Table { get; } = table;

    public override ObjectKind Kind => ObjectKind.Trigger;

    public override DumpableObject? Parent => Table;

    public override int Priority => Priorities.Trigger;

    public override Section Section => Section.PostData;

    public override string SortDetail => Table.Name;

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        writer.Write(definition);
        writer.Write(";\n");
        writer.EndStatement();
        var table = Table.QualifiedName(context);
        var trigger = context.Ident(Name);
        if (enabled != EnableState.Origin)
        {
            writer.Write($"ALTER TABLE {table} {EnableState.Words(enabled)} TRIGGER {trigger};\n");
            writer.EndStatement();
        }
        context.WriteComment(writer, $"TRIGGER {trigger} ON {table}", Id);
    }

    public override void WriteDrop(TextWriter writer, DdlContext context, bool ifExists)
    {
        writer.Write($"DROP TRIGGER {(ifExists ? "IF EXISTS " : "")}{context.Ident(Name)} ON {Table.QualifiedName(context)};\n");
        writer.EndStatement();
    }
}

internal sealed class PolicyObject(uint oid, RelationObject table, string name, char command, bool permissive, IReadOnlyList<string>? roles, string? usingExpression, string? checkExpression)
    : DumpableObject(new CatalogId(CatalogClasses.Policy, oid), table.Schema, name, null)
{
    public RelationObject Table { get; } = table;

    public override ObjectKind Kind => ObjectKind.Policy;

    public override DumpableObject? Parent => Table;

    public override int Priority => Priorities.Policy;

    public override Section Section => Section.PostData;

    public override string SortDetail => Table.Name;

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        var commandName = command switch
        {
            'r' => "SELECT",
            'a' => "INSERT",
            'w' => "UPDATE",
            'd' => "DELETE",
            _ => "ALL",
        };
        writer.Write($"CREATE POLICY {context.Ident(Name)} ON {Table.QualifiedName(context)}");
        writer.Write(permissive ? " AS PERMISSIVE" : " AS RESTRICTIVE");
        writer.Write($" FOR {commandName}");
        writer.Write(" TO ");
        if (roles is null)
        {
            writer.Write("PUBLIC");
        }
        else
        {
            for (var i = 0; i < roles.Count; i++)
            {
                if (i > 0)
                    writer.Write(", ");
                writer.Write(roles[i] == "public" ? "PUBLIC" : context.Role(roles[i]));
            }
        }
        if (usingExpression is not null)
            writer.Write($" USING ({usingExpression})");
        if (checkExpression is not null)
            writer.Write($" WITH CHECK ({checkExpression})");
        writer.Write(";\n");
        writer.EndStatement();
        context.WriteComment(writer, $"POLICY {context.Ident(Name)} ON {Table.QualifiedName(context)}", Id);
    }

    public override void WriteDrop(TextWriter writer, DdlContext context, bool ifExists)
    {
        writer.Write($"DROP POLICY {(ifExists ? "IF EXISTS " : "")}{context.Ident(Name)} ON {Table.QualifiedName(context)};\n");
        writer.EndStatement();
    }

    public override IEnumerable<string> RequiredRoles() => roles ?? [];
}

internal sealed class PublicationObject(uint oid, string name, string owner, bool allTables, string publish, bool viaRoot)
    : DumpableObject(new CatalogId(CatalogClasses.Publication, oid), null, name, owner)
{
    public override ObjectKind Kind => ObjectKind.Publication;

    public override int Priority => Priorities.Publication;

    public override Section Section => Section.PostData;

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        writer.Write($"CREATE PUBLICATION {context.Ident(Name)}");
        if (allTables)
            writer.Write(" FOR ALL TABLES");
        writer.Write($" WITH (publish = {SqlText.QuoteLiteral(publish)}");
        if (viaRoot)
            writer.Write(", publish_via_partition_root = true");
        writer.Write(");\n");
        writer.EndStatement();
        context.WriteComment(writer, $"PUBLICATION {context.Ident(Name)}", Id);
    }

    public override void WriteOwner(TextWriter writer, DdlContext context)
    {
        writer.Write($"ALTER PUBLICATION {context.Ident(Name)} OWNER TO {context.Role(Owner!)};\n");
        writer.EndStatement();
    }

    public override void WriteDrop(TextWriter writer, DdlContext context, bool ifExists)
    {
        writer.Write($"DROP PUBLICATION {(ifExists ? "IF EXISTS " : "")}{context.Ident(Name)};\n");
        writer.EndStatement();
    }
}

internal sealed class PublicationTableObject(uint oid, PublicationObject publication, RelationObject table, IReadOnlyList<string>? columns, string? rowFilter)
    : DumpableObject(new CatalogId(CatalogClasses.PublicationRel, oid), table.Schema, table.Name, null)
{
    public override ObjectKind Kind => ObjectKind.PublicationTable;

    public override DumpableObject? Parent => publication;

    public override int Priority => Priorities.PublicationTable;

    public override Section Section => Section.PostData;

    public override string SortDetail => publication.Name;

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        writer.Write($"ALTER PUBLICATION {context.Ident(publication.Name)} ADD TABLE ONLY {table.QualifiedName(context)}");
        if (columns is not null)
        {
            writer.Write(" (");
            for (var i = 0; i < columns.Count; i++)
                writer.Write((i > 0 ? ", " : "") + context.Ident(columns[i]));
            writer.Write(")");
        }
        if (rowFilter is not null)
            writer.Write($" WHERE ({rowFilter})");
        writer.Write(";\n");
        writer.EndStatement();
    }

    public override void WriteDrop(TextWriter writer, DdlContext context, bool ifExists)
    {
        var drop = $"ALTER PUBLICATION {context.Ident(publication.Name)} DROP TABLE ONLY {table.QualifiedName(context)};";
        // ALTER PUBLICATION has no IF EXISTS: with --if-exists the drop runs only when the table is in the publication.
        writer.Write(ifExists
            ? SqlText.DoIf("EXISTS (SELECT 1 FROM pg_catalog.pg_publication_rel r JOIN pg_catalog.pg_publication p ON p.oid = r.prpubid "
                + $"WHERE p.pubname = {SqlText.QuoteLiteral(publication.Name)} AND r.prrelid = pg_catalog.to_regclass({SqlText.QuoteLiteral(table.QualifiedName(context))}))", drop)
            : drop + "\n");
        writer.EndStatement();
    }
}

/// <summary>pg_dump's PRE-DATA / POST-DATA BOUNDARY: keeps sections apart during the topological sort.</summary>
internal sealed class BoundaryObject(bool preData)
    : DumpableObject(new CatalogId(0, 0), null, preData ? "PRE-DATA BOUNDARY" : "POST-DATA BOUNDARY", null)
{
    public bool IsPreData { get; } = preData;

    public override ObjectKind Kind => IsPreData ? ObjectKind.PreDataBoundary : ObjectKind.PostDataBoundary;

    /// <summary>Its name alone: the kind's name is the same words, and a loop message would say them twice.</summary>
    public override string ToString() => Name;

    public override int Priority => IsPreData ? Priorities.PreDataBoundary : Priorities.PostDataBoundary;

    public override Section Section => IsPreData ? Section.PreData : Section.Data;

    public override void WriteCreate(TextWriter writer, DdlContext context) { }
}

internal sealed class RuleObject(uint oid, RelationObject table, string name, string definition, char enabled)
    : DumpableObject(new CatalogId(CatalogClasses.Rewrite, oid), table.Schema, name, null)
{
    public RelationObject Table { get; } = table;

    public override ObjectKind Kind => ObjectKind.Rule;

    public override DumpableObject? Parent => Table;

    public override int Priority => Priorities.Rule;

    public override Section Section => Section.PostData;

    public override string SortDetail => Table.Name;

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        // pg_get_ruledef ends with its own semicolon.
        writer.Write(definition.TrimEnd());
        writer.Write('\n');
        writer.EndStatement();
        var table = Table.QualifiedName(context);
        if (enabled != EnableState.Origin)
        {
            writer.Write($"ALTER TABLE {table} {EnableState.Words(enabled)} RULE {context.Ident(Name)};\n");
            writer.EndStatement();
        }
        context.WriteComment(writer, $"RULE {context.Ident(Name)} ON {table}", Id);
    }

    public override void WriteDrop(TextWriter writer, DdlContext context, bool ifExists)
    {
        writer.Write($"DROP RULE {(ifExists ? "IF EXISTS " : "")}{context.Ident(Name)} ON {Table.QualifiedName(context)};\n");
        writer.EndStatement();
    }

    public override IEnumerable<string> RequiredRoles() => [];
}

internal sealed class StatisticsObject(uint oid, string schema, string name, string owner, string definition, int statisticsTarget)
    : DumpableObject(new CatalogId(CatalogClasses.StatisticExt, oid), schema, name, owner)
{
    public override ObjectKind Kind => ObjectKind.Statistics;

    public override int Priority => Priorities.Statistics;

    public override Section Section => Section.PostData;

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        writer.Write(definition);
        writer.Write(";\n");
        writer.EndStatement();
        if (statisticsTarget >= 0)
        {
            writer.Write($"ALTER STATISTICS {context.Qualified(Schema, Name)} SET STATISTICS {statisticsTarget};\n");
            writer.EndStatement();
        }
        context.WriteComment(writer, $"STATISTICS {context.Qualified(Schema, Name)}", Id);
    }

    public override void WriteOwner(TextWriter writer, DdlContext context)
    {
        writer.Write($"ALTER STATISTICS {context.Qualified(Schema, Name)} OWNER TO {context.Role(Owner!)};\n");
        writer.EndStatement();
    }

    public override void WriteDrop(TextWriter writer, DdlContext context, bool ifExists)
    {
        writer.Write($"DROP STATISTICS {(ifExists ? "IF EXISTS " : "")}{context.Qualified(Schema, Name)};\n");
        writer.EndStatement();
    }
}

internal sealed class PublicationSchemaObject(uint oid, PublicationObject publication, string schema)
    : DumpableObject(new CatalogId(CatalogClasses.PublicationNamespace, oid), schema, publication.Name, null)
{
    public override ObjectKind Kind => ObjectKind.PublicationTablesInSchema;

    public override DumpableObject? Parent => publication;

    public override int Priority => Priorities.PublicationTable;

    public override Section Section => Section.PostData;

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        writer.Write($"ALTER PUBLICATION {context.Ident(publication.Name)} ADD TABLES IN SCHEMA {context.Ident(Schema!)};\n");
        writer.EndStatement();
    }

    public override void WriteDrop(TextWriter writer, DdlContext context, bool ifExists)
    {
        var drop = $"ALTER PUBLICATION {context.Ident(publication.Name)} DROP TABLES IN SCHEMA {context.Ident(Schema!)};";
        writer.Write(ifExists
            ? SqlText.DoIf("EXISTS (SELECT 1 FROM pg_catalog.pg_publication_namespace s JOIN pg_catalog.pg_publication p ON p.oid = s.pnpubid "
                + $"WHERE p.pubname = {SqlText.QuoteLiteral(publication.Name)} AND s.pnnspid = pg_catalog.to_regnamespace({SqlText.QuoteLiteral(context.Ident(Schema!))}))", drop)
            : drop + "\n");
        writer.EndStatement();
    }

    public override IEnumerable<string> RequiredRoles() => [];
}

/// <summary>
/// What CREATE SUBSCRIPTION takes beyond its name and owner, as read from pg_subscription. <paramref name="Streaming"/> is
/// null (off), "on" or "parallel"; <paramref name="Origin"/> is null for the default "any"; <paramref name="SynchronousCommit"/>
/// is null for the default "off".
/// </summary>
internal sealed record SubscriptionDefinition(
    string ConnectionInfo, IReadOnlyList<string> Publications, string? SlotName, bool Binary, string? Streaming, bool TwoPhase,
    bool DisableOnError, string? SynchronousCommit, string? Origin, bool PasswordRequired, bool RunAsOwner, bool Failover);

/// <summary>
/// A subscription, as pg_dump's dumpSubscription writes it: WITH (connect = false) so restoring never reaches the
/// publisher or creates a slot, which leaves it disabled (ALTER SUBSCRIPTION … ENABLE, and REFRESH PUBLICATION when the
/// tables must be synchronised, are the operator's step); only options that differ from the defaults are written.
/// </summary>
internal sealed class SubscriptionObject(uint oid, string name, string owner, SubscriptionDefinition definition)
    : DumpableObject(new CatalogId(CatalogClasses.Subscription, oid), null, name, owner)
{
    public SubscriptionDefinition Definition { get; } = definition;

    public override ObjectKind Kind => ObjectKind.Subscription;

    public override int Priority => Priorities.Subscription;

    public override Section Section => Section.PostData;

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        var d = Definition;
        writer.Write($"CREATE SUBSCRIPTION {context.Ident(Name)} CONNECTION {SqlText.QuoteLiteral(d.ConnectionInfo)} PUBLICATION ");
        for (var i = 0; i < d.Publications.Count; i++)
        {
            if (i > 0)
                writer.Write(", ");
            writer.Write(context.Ident(d.Publications[i]));
        }
        writer.Write($" WITH (connect = false, slot_name = {(d.SlotName is null ? "NONE" : SqlText.QuoteLiteral(d.SlotName))}");
        if (d.Binary)
            writer.Write(", binary = true");
        if (d.Streaming is not null)
            writer.Write($", streaming = {d.Streaming}");
        if (d.TwoPhase)
            writer.Write(", two_phase = on");
        if (d.DisableOnError)
            writer.Write(", disable_on_error = true");
        if (!d.PasswordRequired)
            writer.Write(", password_required = false");
        if (d.RunAsOwner)
            writer.Write(", run_as_owner = true");
        if (d.Failover)
            writer.Write(", failover = true");
        if (d.Origin is not null)
            writer.Write($", origin = {d.Origin}");
        if (d.SynchronousCommit is not null)
            writer.Write($", synchronous_commit = {context.Ident(d.SynchronousCommit)}");
        writer.Write(");\n");
        writer.EndStatement();
        context.WriteComment(writer, $"SUBSCRIPTION {context.Ident(Name)}", Id);
    }

    public override void WriteOwner(TextWriter writer, DdlContext context)
    {
        writer.Write($"ALTER SUBSCRIPTION {context.Ident(Name)} OWNER TO {context.Role(Owner!)};\n");
        writer.EndStatement();
    }

    public override void WriteDrop(TextWriter writer, DdlContext context, bool ifExists)
    {
        writer.Write($"DROP SUBSCRIPTION {(ifExists ? "IF EXISTS " : "")}{context.Ident(Name)};\n");
        writer.EndStatement();
    }
}

/// <summary>The firing states of triggers, rules and event triggers (tgenabled, ev_enabled, evtenabled).</summary>
internal static class EnableState
{
    /// <summary>'O': fires in origin and local sessions, the state CREATE gives.</summary>
    public const char Origin = 'O';

    /// <summary>The ALTER … words that put an object into a state: D, R, A, and O (plain ENABLE).</summary>
    public static string Words(char state) => state switch
    {
        'D' => "DISABLE",
        'R' => "ENABLE REPLICA",
        'A' => "ENABLE ALWAYS",
        _ => "ENABLE",
    };
}
