using FactoryPulse.Dump.Sql;

namespace FactoryPulse.Dump.Model;

/// <summary>The archive section an entry belongs to, as in pg_dump.</summary>
internal enum Section
{
    PreData,
    Data,
    PostData,
}

/// <summary>Restore passes: privileges run after every object exists; default privileges and refreshes last.</summary>
internal enum RestorePass
{
    Main,
    Acl,
    PostAcl,
}

/// <summary>Catalog address of an object: the catalog's table oid plus the row oid.</summary>
internal readonly record struct CatalogId(uint ClassId, uint ObjectId);

/// <summary>
/// The small base every dumped object shares (pg_dump's DumpableObject): what it is, where it lives, who owns
/// it, what it depends on, and how to write its DDL.
/// </summary>
internal abstract class DumpableObject
{
    protected DumpableObject(CatalogId id, string? schema, string name, string? owner)
    {
        Id = id;
        Schema = schema;
        Name = name;
        Owner = owner;
    }

    public CatalogId Id { get; }

    public string? Schema { get; }

    public string Name { get; }

    public string? Owner { get; }

    /// <summary>What the object is; <see cref="ObjectKinds.TocName"/> gives pg_dump's TOC type name ("TABLE", "FK CONSTRAINT", …).</summary>
    public abstract ObjectKind Kind { get; }

    /// <summary>Sort priority among object kinds (pg_dump_sort.c's dbObjectTypePriority).</summary>
    public abstract int Priority { get; }

    public virtual Section Section => Section.PreData;

    public virtual RestorePass Pass => RestorePass.Main;

    /// <summary>The object this one is part of (a table's index, trigger, data…): filters follow it.</summary>
    public virtual DumpableObject? Parent => null;

    /// <summary>Secondary sort key after schema and name (function arguments, owning table).</summary>
    public virtual string SortDetail => string.Empty;

    public List<DumpableObject> Dependencies { get; } = [];

    /// <summary>Position after sorting; the archive's dump id.</summary>
    public int DumpId { get; set; }

    /// <summary>
    /// Set by a profile: the platform the target runs on already has the object and decides its owner and privileges;
    /// its entry has no owner and no drop statements (and an extension's no comment, which only its owner may set).
    /// </summary>
    public bool ManagedByPlatform { get; set; }

    public void AddDependency(DumpableObject? other)
    {
        if (other is not null && !ReferenceEquals(other, this) && !Dependencies.Contains(other))
            Dependencies.Add(other);
    }

    public abstract void WriteCreate(TextWriter writer, DdlContext context);

    /// <summary>The ALTER … OWNER TO statement, or null when the kind has no owner to set.</summary>
    public virtual void WriteOwner(TextWriter writer, DdlContext context) { }

    public virtual void WriteDrop(TextWriter writer, DdlContext context, bool ifExists) { }

    /// <summary>How GRANT and REVOKE name the object (<c>TABLE public.t</c>); null for kinds this is not asked of.</summary>
    public virtual GrantTarget? PrivilegeTarget(DdlContext context) => null;

    /// <summary>
    /// Which default privileges the server gives the object when this entry creates it, as pg_default_acl.defaclobjtype
    /// says: 'r' tables, views and foreign tables, 'S' sequences, 'f' functions, procedures and aggregates, 'T' types and
    /// domains, 'n' schemas, 'L' large objects; null when the entry creates nothing they apply to.
    /// </summary>
    public virtual char? DefaultAclType => null;

    /// <summary>Roles the entry needs on the target (owner, grantees), for the restore's preflight.</summary>
    public virtual IEnumerable<string> RequiredRoles()
    {
        if (Owner is not null)
            yield return Owner;
    }

    public override string ToString() => Schema is null ? $"{Kind.TocName()} {Name}" : $"{Kind.TocName()} {Schema}.{Name}";
}

/// <summary>An object as GRANT names it: <see cref="Keyword"/> ("TABLE", "FUNCTION" …) and the quoted <see cref="Name"/>.</summary>
internal readonly record struct GrantTarget(string Keyword, string Name)
{
    public override string ToString() => $"{Keyword} {Name}";
}

/// <summary>What DDL writers need besides the object: quoting rules and comments.</summary>
internal sealed class DdlContext(IReadOnlySet<string> keywords, IReadOnlyDictionary<(uint ClassId, uint ObjectId, int SubId), string> comments)
{
    public string Ident(string name) => SqlText.QuoteIdentifierIfNeeded(name, keywords);

    private List<string>? _capturedRoles;

    // Noncharacters that cannot come from the catalog text we write around them.
    private const char RoleStart = '\uFDD0';
    private const char RoleEnd = '\uFDD1';

    /// <summary>
    /// A role name in DDL. While an archive entry is written, the name is marked so the entry can record where each role
    /// sits — the restore maps roles (--role-map) by position, never by searching the text.
    /// </summary>
    public string Role(string name)
    {
        if (_capturedRoles is null)
            return Ident(name);
        _capturedRoles.Add(name);
        return $"{RoleStart}{_capturedRoles.Count - 1}{RoleEnd}";
    }

    public void BeginRoleCapture() => _capturedRoles = [];

    /// <summary>Replaces the role marks in <paramref name="text"/> by the quoted names and returns where they are.</summary>
    public string EndRoleCapture(string text, List<(int Offset, int Length, string Role)> positions)
    {
        var roles = _capturedRoles ?? [];
        _capturedRoles = null;
        return ReplaceRoleMarks(text, roles, positions);
    }

    /// <summary>
    /// Replaces the role marks in each of <paramref name="statements"/> by the quoted names and returns the statements;
    /// <paramref name="positions"/> receives where each role sits (statement index, offset within it).
    /// </summary>
    public List<string> EndRoleCapture(List<string> statements, List<(int Statement, int Offset, int Length, string Role)> positions)
    {
        var roles = _capturedRoles ?? [];
        _capturedRoles = null;
        var result = new List<string>(statements.Count);
        var found = new List<(int Offset, int Length, string Role)>();
        for (var i = 0; i < statements.Count; i++)
        {
            found.Clear();
            result.Add(ReplaceRoleMarks(statements[i], roles, found));
            foreach (var (offset, length, role) in found)
                positions.Add((i, offset, length, role));
        }
        return result;
    }

    private string ReplaceRoleMarks(string text, List<string> roles, List<(int Offset, int Length, string Role)> positions)
    {
        if (roles.Count == 0)
            return text;
        var builder = new System.Text.StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            var start = text.IndexOf(RoleStart, i);
            var end = start < 0 ? -1 : text.IndexOf(RoleEnd, start);
            if (start < 0 || end < 0 || !int.TryParse(text.AsSpan(start + 1, end - start - 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index) || index >= roles.Count)
            {
                builder.Append(text, i, text.Length - i);
                break;
            }
            builder.Append(text, i, start - i);
            var quoted = Ident(roles[index]);
            positions.Add((builder.Length, quoted.Length, roles[index]));
            builder.Append(quoted);
            i = end + 1;
        }
        return builder.ToString();
    }

    public string Qualified(string? schema, string name) => schema is null ? Ident(name) : Ident(schema) + "." + Ident(name);

    public string? CommentOf(CatalogId id, int subId = 0) =>
        comments.TryGetValue((id.ClassId, id.ObjectId, subId), out var text) ? text : null;

    /// <summary>Writes <c>COMMENT ON {target} IS '…';</c> when the object has a comment.</summary>
    public void WriteComment(TextWriter writer, string target, CatalogId id, int subId = 0)
    {
        var comment = CommentOf(id, subId);
        if (comment is null)
            return;
        writer.Write("\nCOMMENT ON ");
        writer.Write(target);
        writer.Write(" IS ");
        writer.Write(SqlText.QuoteLiteral(comment));
        writer.Write(";\n");
        writer.EndStatement();
    }
}
