using FactoryPulse.Dump.Sql;

namespace FactoryPulse.Dump.Model;

internal sealed class SchemaObject(uint oid, string name, string owner)
    : DumpableObject(new CatalogId(CatalogClasses.Namespace, oid), null, name, owner)
{
    /// <summary>initdb creates <c>public</c>; like pg_dump we alter it instead of creating it.</summary>
    public bool IsPublic => Name == "public";

    public override ObjectKind Kind => ObjectKind.Schema;

    public override int Priority => Priorities.Schema;

    public override GrantTarget? PrivilegeTarget(DdlContext context) => new("SCHEMA", context.Ident(Name));

    public override char? DefaultAclType => IsPublic ? null : 'n';

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        if (IsPublic)
        {
            // A fresh database's public schema carries this comment; write the source's (or none) explicitly.
            var comment = context.CommentOf(Id);
            writer.Write("COMMENT ON SCHEMA public IS ");
            writer.Write(comment is null ? "NULL" : SqlText.QuoteLiteral(comment));
            writer.Write(";\n");
            writer.EndStatement();
            return;
        }
        writer.Write($"CREATE SCHEMA {context.Ident(Name)};\n");
        writer.EndStatement();
        context.WriteComment(writer, $"SCHEMA {context.Ident(Name)}", Id);
    }

    public override void WriteOwner(TextWriter writer, DdlContext context)
    {
        writer.Write($"ALTER SCHEMA {context.Ident(Name)} OWNER TO {context.Role(Owner!)};\n");
        writer.EndStatement();
    }

    public override void WriteDrop(TextWriter writer, DdlContext context, bool ifExists)
    {
        if (!IsPublic)
        {
            writer.Write($"DROP SCHEMA {(ifExists ? "IF EXISTS " : "")}{context.Ident(Name)};\n");
            writer.EndStatement();
        }
    }
}

internal sealed class ExtensionObject(uint oid, string name, string schema, string version)
    : DumpableObject(new CatalogId(CatalogClasses.Extension, oid), null, name, null)
{
    public string ExtensionSchema { get; } = schema;

    public string Version { get; } = version;

    public override ObjectKind Kind => ObjectKind.Extension;

    public override int Priority => Priorities.Extension;

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        writer.Write($"CREATE EXTENSION IF NOT EXISTS {context.Ident(Name)} WITH SCHEMA {context.Ident(ExtensionSchema)};\n");
        writer.EndStatement();
        // Only the extension's owner may comment on it; the platform's extension keeps the platform's comment.
        if (!ManagedByPlatform)
            context.WriteComment(writer, $"EXTENSION {context.Ident(Name)}", Id);
    }

    public override void WriteDrop(TextWriter writer, DdlContext context, bool ifExists)
    {
        writer.Write($"DROP EXTENSION {(ifExists ? "IF EXISTS " : "")}{context.Ident(Name)};\n");
        writer.EndStatement();
    }
}

/// <summary>Enum, composite and domain types share naming, ownership and dropping.</summary>
internal abstract class TypeObject(uint oid, string schema, string name, string owner)
    : DumpableObject(new CatalogId(CatalogClasses.Type, oid), schema, name, owner)
{
    public override ObjectKind Kind => ObjectKind.Type;

    public override int Priority => Priorities.Type;

    protected virtual string Keyword => "TYPE";

    /// <summary>The placeholder written first when a function the type needs takes or returns the type (base types, canonical ranges).</summary>
    public ShellTypeObject? Shell { get; set; }

    public override GrantTarget? PrivilegeTarget(DdlContext context) => new(Keyword, context.Qualified(Schema, Name));

    public override char? DefaultAclType => 'T';

    public override void WriteOwner(TextWriter writer, DdlContext context)
    {
        writer.Write($"ALTER {Keyword} {context.Qualified(Schema, Name)} OWNER TO {context.Role(Owner!)};\n");
        writer.EndStatement();
    }

    public override void WriteDrop(TextWriter writer, DdlContext context, bool ifExists)
    {
        // With a shell type the type and a function it needs depend on each other: only CASCADE can drop them (as pg_dump
        // does for base types; it writes a plain DROP for a range type with a canonical function, which --clean cannot run).
        writer.Write($"DROP {Keyword} {(ifExists ? "IF EXISTS " : "")}{context.Qualified(Schema, Name)}{(Shell is null ? "" : " CASCADE")};\n");
        writer.EndStatement();
    }
}

internal sealed class EnumTypeObject(uint oid, string schema, string name, string owner, IReadOnlyList<string> labels)
    : TypeObject(oid, schema, name, owner)
{
    public IReadOnlyList<string> Labels { get; } = labels;

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        writer.Write($"CREATE TYPE {context.Qualified(Schema, Name)} AS ENUM (");
        for (var i = 0; i < Labels.Count; i++)
        {
            writer.Write(i == 0 ? "\n    " : ",\n    ");
            writer.Write(SqlText.QuoteLiteral(Labels[i]));
        }
        writer.Write("\n);\n");
        writer.EndStatement();
        context.WriteComment(writer, $"TYPE {context.Qualified(Schema, Name)}", Id);
    }
}

internal sealed record CompositeAttribute(string Name, string TypeName, string? Collation);

internal sealed class CompositeTypeObject(uint oid, uint relationOid, string schema, string name, string owner, IReadOnlyList<CompositeAttribute> attributes)
    : TypeObject(oid, schema, name, owner)
{
    /// <summary>The pg_class row behind the type; column comments hang off it.</summary>
    public uint RelationOid { get; } = relationOid;

    public IReadOnlyList<CompositeAttribute> Attributes { get; } = attributes;

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        writer.Write($"CREATE TYPE {context.Qualified(Schema, Name)} AS (");
        for (var i = 0; i < Attributes.Count; i++)
        {
            var attribute = Attributes[i];
            writer.Write(i == 0 ? "\n    " : ",\n    ");
            writer.Write($"{context.Ident(attribute.Name)} {attribute.TypeName}");
            if (attribute.Collation is not null)
                writer.Write($" COLLATE {attribute.Collation}");
        }
        writer.Write("\n);\n");
        writer.EndStatement();
        context.WriteComment(writer, $"TYPE {context.Qualified(Schema, Name)}", Id);
        var relation = new CatalogId(CatalogClasses.Class, RelationOid);
        for (var i = 0; i < Attributes.Count; i++)
            context.WriteComment(writer, $"COLUMN {context.Qualified(Schema, Name)}.{context.Ident(Attributes[i].Name)}", relation, i + 1);
    }
}

internal sealed record DomainConstraint(uint Oid, string Name, string Definition, bool Validated);

internal sealed class DomainObject(
    uint oid, string schema, string name, string owner, string baseType, string? collation, string? defaultExpression,
    bool notNull, IReadOnlyList<DomainConstraint> constraints)
    : TypeObject(oid, schema, name, owner)
{
    public override ObjectKind Kind => ObjectKind.Domain;

    protected override string Keyword => "DOMAIN";

    public IReadOnlyList<DomainConstraint> Constraints { get; } = constraints;

    /// <summary>Constraints the sorter moved out to break a loop (a CHECK calling a function that takes the domain).</summary>
    public HashSet<uint> SeparateConstraints { get; } = [];

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        var qualified = context.Qualified(Schema, Name);
        writer.Write($"CREATE DOMAIN {qualified} AS {baseType}");
        if (collation is not null)
            writer.Write($" COLLATE {collation}");
        if (defaultExpression is not null)
            writer.Write($" DEFAULT {defaultExpression}");
        if (notNull)
            writer.Write(" NOT NULL");
        foreach (var constraint in Constraints)
        {
            if (constraint.Validated && !SeparateConstraints.Contains(constraint.Oid))
                writer.Write($"\n\tCONSTRAINT {context.Ident(constraint.Name)} {constraint.Definition}");
        }
        writer.Write(";\n");
        writer.EndStatement();
        context.WriteComment(writer, $"DOMAIN {qualified}", Id);
        foreach (var constraint in Constraints)
        {
            if (constraint.Validated && !SeparateConstraints.Contains(constraint.Oid))
                context.WriteComment(writer, $"CONSTRAINT {context.Ident(constraint.Name)} ON DOMAIN {qualified}", new CatalogId(CatalogClasses.Constraint, constraint.Oid));
        }
    }
}

/// <summary>
/// A NOT VALID domain constraint: added after the data, because rows loaded after it would be checked
/// (NOT VALID only spares rows that already exist).
/// </summary>
internal sealed class DomainConstraintObject(DomainObject domain, DomainConstraint constraint)
    : DumpableObject(new CatalogId(CatalogClasses.Constraint, constraint.Oid), domain.Schema, constraint.Name, null)
{
    public override ObjectKind Kind => ObjectKind.Constraint;

    public override DumpableObject? Parent => domain;

    public override int Priority => Priorities.Constraint;

    public override Section Section => Section.PostData;

    public override string SortDetail => domain.Name;

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        var qualified = context.Qualified(domain.Schema, domain.Name);
        writer.Write($"ALTER DOMAIN {qualified}\n    ADD CONSTRAINT {context.Ident(constraint.Name)} {constraint.Definition};\n");
        writer.EndStatement();
        context.WriteComment(writer, $"CONSTRAINT {context.Ident(constraint.Name)} ON DOMAIN {qualified}", Id);
    }

    public override void WriteDrop(TextWriter writer, DdlContext context, bool ifExists)
    {
        writer.Write($"ALTER DOMAIN {context.Qualified(domain.Schema, domain.Name)} DROP CONSTRAINT {(ifExists ? "IF EXISTS " : "")}{context.Ident(constraint.Name)};\n");
        writer.EndStatement();
    }

    public override IEnumerable<string> RequiredRoles() => [];
}

internal sealed class FunctionObject(uint oid, string schema, string name, string owner, string identityArguments, bool isProcedure, string definition)
    : DumpableObject(new CatalogId(CatalogClasses.Proc, oid), schema, name, owner)
{
    public string IdentityArguments { get; } = identityArguments;

    public bool IsProcedure { get; } = isProcedure;

    /// <summary>pg_proc.prosecdef: runs with its owner's privileges.</summary>
    public bool SecurityDefiner { get; init; }

    public override ObjectKind Kind => IsProcedure ? ObjectKind.Procedure : ObjectKind.Function;

    public override int Priority => Priorities.Function;

    public override string SortDetail => IdentityArguments;

    public string Signature(DdlContext context) => $"{context.Qualified(Schema, Name)}({IdentityArguments})";

    public override GrantTarget? PrivilegeTarget(DdlContext context) => new(Kind.TocName(), Signature(context));

    public override char? DefaultAclType => 'f';

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        // pg_get_functiondef ends with a newline and no semicolon.
        writer.Write(definition.TrimEnd());
        writer.Write(";\n");
        writer.EndStatement();
        context.WriteComment(writer, $"{Kind.TocName()} {Signature(context)}", Id);
    }

    public override void WriteOwner(TextWriter writer, DdlContext context)
    {
        writer.Write($"ALTER {Kind.TocName()} {Signature(context)} OWNER TO {context.Role(Owner!)};\n");
        writer.EndStatement();
    }

    public override void WriteDrop(TextWriter writer, DdlContext context, bool ifExists)
    {
        writer.Write($"DROP {Kind.TocName()} {(ifExists ? "IF EXISTS " : "")}{Signature(context)};\n");
        writer.EndStatement();
    }
}

/// <summary>
/// Settings and comment of the database itself (ALTER DATABASE … SET, ALTER ROLE … IN DATABASE … SET), dumped when asked
/// for. The target's name is not known when the archive is written, so the statements name current_database().
/// </summary>
internal sealed class DatabasePropertiesObject(string database, string? comment, IReadOnlyList<(string? Role, string Setting)> settings)
    : DumpableObject(new CatalogId(0, 0), null, database, null)
{
    // GUC_LIST_QUOTE settings are stored as an already quoted list; quoting them again would make one element of it.
    private static readonly HashSet<string> ListSettings = new(StringComparer.OrdinalIgnoreCase)
    {
        "search_path", "temp_tablespaces", "session_preload_libraries", "shared_preload_libraries", "local_preload_libraries",
    };

    public override ObjectKind Kind => ObjectKind.DatabaseProperties;

    public override int Priority => Priorities.Schema - 1;

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        if (comment is not null)
            WriteForCurrentDatabase(writer, "COMMENT ON DATABASE ", $" IS {SqlText.QuoteLiteral(comment)}");
        foreach (var (role, setting) in settings)
        {
            var equals = setting.IndexOf('=', StringComparison.Ordinal);
            var name = setting[..equals];
            var value = setting[(equals + 1)..];
            var assignment = $" SET {context.Ident(name)} TO {(ListSettings.Contains(name) ? value : SqlText.QuoteLiteral(value))}";
            if (role is null)
                WriteForCurrentDatabase(writer, "ALTER DATABASE ", assignment);
            else
                WriteForCurrentDatabase(writer, $"ALTER ROLE {context.Role(role)} IN DATABASE ", assignment);
        }
    }

    private static void WriteForCurrentDatabase(TextWriter writer, string before, string after)
    {
        writer.Write($"DO $fpdump$ BEGIN EXECUTE {SqlText.QuoteLiteral(before)} || pg_catalog.quote_ident(pg_catalog.current_database()) || {SqlText.QuoteLiteral(after)}; END $fpdump$;\n");
        writer.EndStatement();
    }

    public override IEnumerable<string> RequiredRoles()
    {
        foreach (var (role, _) in settings)
        {
            if (role is not null)
                yield return role;
        }
    }
}
