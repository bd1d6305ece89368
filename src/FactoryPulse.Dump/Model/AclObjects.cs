using FactoryPulse.Dump.Sql;

namespace FactoryPulse.Dump.Model;

/// <summary>One exploded aclitem; a null grantee means PUBLIC.</summary>
internal sealed record AclItem(string Grantor, string? Grantee, string Privilege, bool Grantable);

internal sealed record ColumnAcl(string Column, IReadOnlyList<AclItem> Items);

/// <summary>What an object's privileges add to and take from the built-in default for its kind and owner.</summary>
internal sealed record AclChanges(List<AclItem> Revokes, List<AclItem> Grants);

internal static class AclWriter
{
    /// <summary>
    /// Writes GRANTs that rebuild exactly <paramref name="items"/>: consecutive items with the same grantee, grantor
    /// and grant option become one statement; a grantor other than the owner grants under its own name.
    /// </summary>
    public static void WriteGrants(TextWriter writer, DdlContext context, string target, string owner, IReadOnlyList<AclItem> items, string? column = null)
    {
        var i = 0;
        while (i < items.Count)
        {
            var first = items[i];
            var privileges = new List<string>();
            while (i < items.Count && items[i].Grantee == first.Grantee && items[i].Grantor == first.Grantor && items[i].Grantable == first.Grantable)
            {
                privileges.Add(column is null ? items[i].Privilege : $"{items[i].Privilege}({context.Ident(column)})");
                i++;
            }
            var asGrantor = first.Grantor != owner;
            if (asGrantor)
            {
                writer.Write($"SET SESSION AUTHORIZATION {context.Role(first.Grantor)};\n");
                writer.EndStatement();
            }
            writer.Write($"GRANT {string.Join(",", privileges)} ON {target} TO {(first.Grantee is null ? "PUBLIC" : context.Role(first.Grantee))}{(first.Grantable ? " WITH GRANT OPTION" : "")};\n");
            writer.EndStatement();
            if (asGrantor)
            {
                writer.Write("RESET SESSION AUTHORIZATION;\n");
                writer.EndStatement();
            }
        }
    }

    /// <summary>REVOKEs of default privileges the object no longer has, grouped per grantee.</summary>
    public static void WriteRevokes(TextWriter writer, DdlContext context, string target, IReadOnlyList<AclItem> items, string prefix = "")
    {
        var i = 0;
        while (i < items.Count)
        {
            var first = items[i];
            var privileges = new List<string>();
            while (i < items.Count && items[i].Grantee == first.Grantee)
            {
                privileges.Add(items[i].Privilege);
                i++;
            }
            writer.Write($"{prefix}REVOKE {string.Join(",", privileges)} ON {target} FROM {(first.Grantee is null ? "PUBLIC" : context.Role(first.Grantee))};\n");
            writer.EndStatement();
        }
    }

    public static IEnumerable<string> Roles(IReadOnlyList<AclItem> items)
    {
        foreach (var item in items)
        {
            yield return item.Grantor;
            if (item.Grantee is not null)
                yield return item.Grantee;
        }
    }
}

/// <summary>The privileges of one object (and its columns), restored in the ACL pass after every object exists.</summary>
internal sealed class AclObject(DumpableObject target, string targetKeyword, string targetSql, AclChanges? changes, IReadOnlyList<ColumnAcl> columns)
    : DumpableObject(new CatalogId(0, target.Id.ObjectId), target.Schema, target.Name, target.Owner)
{
    /// <summary>Privileges on a dumped object, named as the object names itself for GRANT.</summary>
    public AclObject(DumpableObject target, GrantTarget grantTarget, AclChanges? changes, IReadOnlyList<ColumnAcl> columns)
        : this(target, grantTarget.Keyword, grantTarget.Name, changes, columns)
    {
    }

    public DumpableObject Target { get; } = target;

    public override ObjectKind Kind => ObjectKind.Acl;

    public override DumpableObject? Parent => Target;

    public override int Priority => Priorities.Acl;

    public override Section Section => Target.Section == Section.PreData ? Section.PreData : Section.PostData;

    public override RestorePass Pass => RestorePass.Acl;

    public override string SortDetail => Target.Kind.TocName() + " " + Target.SortDetail;

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        var target = $"{targetKeyword} {targetSql}";
        if (changes is not null)
        {
            AclWriter.WriteRevokes(writer, context, target, changes.Revokes);
            AclWriter.WriteGrants(writer, context, target, Owner!, changes.Grants);
        }
        foreach (var column in columns)
            AclWriter.WriteGrants(writer, context, target, Owner!, column.Items, column.Column);
    }

    public override IEnumerable<string> RequiredRoles()
    {
        if (Owner is not null)
            yield return Owner;
        if (changes is not null)
        {
            foreach (var role in AclWriter.Roles(changes.Revokes))
                yield return role;
            foreach (var role in AclWriter.Roles(changes.Grants))
                yield return role;
        }
        foreach (var column in columns)
        {
            foreach (var role in AclWriter.Roles(column.Items))
                yield return role;
        }
    }
}

/// <summary>
/// An object the dump does not create — an extension member or a built-in — named only so that its changed privileges
/// can be restored (the target of an <see cref="AclObject"/>; never an entry of its own).
/// </summary>
internal sealed class ExternalObject(CatalogId id, string? schema, string name, string owner, ObjectKind kind, string identityArguments, ExtensionObject? extension)
    : DumpableObject(id, schema, name, owner)
{
    public override ObjectKind Kind => kind;

    public override int Priority => Priorities.Acl;

    public override string SortDetail => identityArguments;

    /// <summary>The extension that creates the object, when it is a member of one: its privileges are set after it.</summary>
    public ExtensionObject? Extension { get; } = extension;

    public override void WriteCreate(TextWriter writer, DdlContext context) { }
}

internal sealed class DefaultAclObject(uint oid, string role, string? schema, char objectType, AclChanges changes)
    : DumpableObject(new CatalogId(CatalogClasses.DefaultAcl, oid), schema, "DEFAULT PRIVILEGES FOR " + ObjectTypeName(objectType), role)
{
    public override ObjectKind Kind => ObjectKind.DefaultAcl;

    public AclChanges Changes { get; } = changes;

    public override int Priority => Priorities.DefaultAcl;

    public override Section Section => Section.PostData;

    public override RestorePass Pass => RestorePass.PostAcl;

    public static string ObjectTypeName(char objectType) => objectType switch
    {
        'r' => "TABLES",
        'S' => "SEQUENCES",
        'f' => "FUNCTIONS",
        'T' => "TYPES",
        'n' => "SCHEMAS",
        _ => throw new UnsupportedObjectException($"Default privileges of unknown object type '{objectType}'."),
    };

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        var prefix = $"ALTER DEFAULT PRIVILEGES FOR ROLE {context.Role(Owner!)}{(Schema is null ? "" : " IN SCHEMA " + context.Ident(Schema))}";
        var objects = ObjectTypeName(objectType);
        AclWriter.WriteRevokes(writer, context, objects, Changes.Revokes, prefix + " ");
        foreach (var item in Changes.Grants)
        {
            writer.Write($"{prefix} GRANT {item.Privilege} ON {objects} TO {(item.Grantee is null ? "PUBLIC" : context.Role(item.Grantee))}{(item.Grantable ? " WITH GRANT OPTION" : "")};\n");
            writer.EndStatement();
        }
    }

    public override IEnumerable<string> RequiredRoles()
    {
        yield return Owner!;
        foreach (var role in AclWriter.Roles(Changes.Revokes))
            yield return role;
        foreach (var role in AclWriter.Roles(Changes.Grants))
            yield return role;
    }
}
