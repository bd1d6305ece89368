using FactoryPulse.Dump.Sql;

namespace FactoryPulse.Dump.Model;

/// <summary>
/// CREATE FOREIGN DATA WRAPPER. One that CREATE EXTENSION made (postgres_fdw) is the extension's and is never read
/// as an object of its own; the servers using it still are, as in pg_dump.
/// </summary>
internal sealed class ForeignDataWrapperObject(uint oid, string name, string owner, string? handler, string? validator, string? options)
    : DumpableObject(new CatalogId(CatalogClasses.ForeignDataWrapper, oid), null, name, owner)
{
    public override ObjectKind Kind => ObjectKind.ForeignDataWrapper;

    public override int Priority => Priorities.ForeignDataWrapper;

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        writer.Write($"CREATE FOREIGN DATA WRAPPER {context.Ident(Name)}");
        // Without HANDLER/VALIDATOR the server records none (NO HANDLER, NO VALIDATOR are the defaults).
        if (handler is not null)
            writer.Write($" HANDLER {handler}");
        if (validator is not null)
            writer.Write($" VALIDATOR {validator}");
        if (options is not null)
            writer.Write($" OPTIONS (\n    {options}\n)");
        writer.Write(";\n");
        writer.EndStatement();
        context.WriteComment(writer, $"FOREIGN DATA WRAPPER {context.Ident(Name)}", Id);
    }

    public override void WriteOwner(TextWriter writer, DdlContext context)
    {
        writer.Write($"ALTER FOREIGN DATA WRAPPER {context.Ident(Name)} OWNER TO {context.Role(Owner!)};\n");
        writer.EndStatement();
    }

    public override void WriteDrop(TextWriter writer, DdlContext context, bool ifExists)
    {
        writer.Write($"DROP FOREIGN DATA WRAPPER {(ifExists ? "IF EXISTS " : "")}{context.Ident(Name)};\n");
        writer.EndStatement();
    }
}

/// <summary>CREATE SERVER … FOREIGN DATA WRAPPER: after its wrapper (or the extension that creates the wrapper).</summary>
internal sealed class ForeignServerObject(uint oid, string name, string owner, string wrapper, string? type, string? version, string? options)
    : DumpableObject(new CatalogId(CatalogClasses.ForeignServer, oid), null, name, owner)
{
    public override ObjectKind Kind => ObjectKind.ForeignServer;

    public override int Priority => Priorities.ForeignServer;

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        writer.Write($"CREATE SERVER {context.Ident(Name)}");
        if (type is not null)
            writer.Write($" TYPE {SqlText.QuoteLiteral(type)}");
        if (version is not null)
            writer.Write($" VERSION {SqlText.QuoteLiteral(version)}");
        writer.Write($" FOREIGN DATA WRAPPER {context.Ident(wrapper)}");
        if (options is not null)
            writer.Write($" OPTIONS (\n    {options}\n)");
        writer.Write(";\n");
        writer.EndStatement();
        context.WriteComment(writer, $"SERVER {context.Ident(Name)}", Id);
    }

    public override void WriteOwner(TextWriter writer, DdlContext context)
    {
        writer.Write($"ALTER SERVER {context.Ident(Name)} OWNER TO {context.Role(Owner!)};\n");
        writer.EndStatement();
    }

    public override void WriteDrop(TextWriter writer, DdlContext context, bool ifExists)
    {
        writer.Write($"DROP SERVER {(ifExists ? "IF EXISTS " : "")}{context.Ident(Name)};\n");
        writer.EndStatement();
    }
}

/// <summary>
/// CREATE USER MAPPING FOR role|PUBLIC SERVER …, part of its server (filters follow the server, as pg_dump dumps mappings
/// with their server). Its entry is named and owned as pg_dump's: "USER MAPPING role SERVER server", the server's owner.
/// </summary>
internal sealed class UserMappingObject(uint oid, ForeignServerObject server, string? user, string? options)
    : DumpableObject(new CatalogId(CatalogClasses.UserMapping, oid), null, $"USER MAPPING {user ?? "public"} SERVER {server.Name}", server.Owner)
{
    public ForeignServerObject Server { get; } = server;

    /// <summary>The mapped role, or null for PUBLIC.</summary>
    public string? User { get; } = user;

    public override ObjectKind Kind => ObjectKind.UserMapping;

    public override int Priority => Priorities.ForeignServer;

    public override DumpableObject? Parent => Server;

    private string For(DdlContext context) => User is null ? "PUBLIC" : context.Role(User);

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        writer.Write($"CREATE USER MAPPING FOR {For(context)} SERVER {context.Ident(Server.Name)}");
        if (options is not null)
            writer.Write($" OPTIONS (\n    {options}\n)");
        writer.Write(";\n");
        writer.EndStatement();
    }

    public override void WriteDrop(TextWriter writer, DdlContext context, bool ifExists)
    {
        writer.Write($"DROP USER MAPPING {(ifExists ? "IF EXISTS " : "")}FOR {For(context)} SERVER {context.Ident(Server.Name)};\n");
        writer.EndStatement();
    }

    public override IEnumerable<string> RequiredRoles()
    {
        if (Owner is not null)
            yield return Owner;
        if (User is not null)
            yield return User;
    }
}

/// <summary>
/// What makes a table foreign (<see cref="TableObject.Foreign"/>): its server and table options. A foreign table is
/// otherwise a table (columns, defaults, CHECKs, inheritance, partition attach, owner, privileges, comments) whose
/// rows live elsewhere: pg_dump writes its definition, never its data.
/// </summary>
internal sealed record ForeignTableInfo(string Server, string? Options);
