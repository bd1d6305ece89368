using FactoryPulse.Dump.Sql;

namespace FactoryPulse.Dump.Model;

/// <summary>
/// A procedural language the user created (pg_dump's dumpProcLang). The handler, inline and validator functions are written
/// as regproc names (schema-qualified under the empty search_path). When one of them will not exist on the target (a
/// function left in a system schema by an old installation, neither built in nor an extension member) the handler is null and,
/// as pg_dump does, the parameterless CREATE OR REPLACE form is written, which the server runs as CREATE EXTENSION IF NOT EXISTS.
/// pg_dump also writes that form when a support function is an extension member or built in; those exist on the target, so the
/// full form is written instead (the parameterless one fails for a language no extension provides).
/// </summary>
internal sealed class ProceduralLanguageObject(uint oid, string name, string owner, bool trusted, string? handler, string? inline, string? validator)
    : DumpableObject(new CatalogId(CatalogClasses.Language, oid), null, name, owner)
{
    public override ObjectKind Kind => ObjectKind.ProceduralLanguage;

    public override int Priority => Priorities.ProceduralLanguage;

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        if (handler is null)
        {
            writer.Write($"CREATE OR REPLACE PROCEDURAL LANGUAGE {context.Ident(Name)};\n");
            writer.EndStatement();
            context.WriteComment(writer, $"LANGUAGE {context.Ident(Name)}", Id);
            return;
        }
        writer.Write($"CREATE {(trusted ? "TRUSTED " : "")}PROCEDURAL LANGUAGE {context.Ident(Name)} HANDLER {handler}");
        if (inline is not null)
            writer.Write($" INLINE {inline}");
        if (validator is not null)
            writer.Write($" VALIDATOR {validator}");
        writer.Write(";\n");
        writer.EndStatement();
        context.WriteComment(writer, $"LANGUAGE {context.Ident(Name)}", Id);
    }

    public override void WriteOwner(TextWriter writer, DdlContext context)
    {
        writer.Write($"ALTER LANGUAGE {context.Ident(Name)} OWNER TO {context.Role(Owner!)};\n");
        writer.EndStatement();
    }

    public override void WriteDrop(TextWriter writer, DdlContext context, bool ifExists)
    {
        writer.Write($"DROP PROCEDURAL LANGUAGE {(ifExists ? "IF EXISTS " : "")}{context.Ident(Name)};\n");
        writer.EndStatement();
    }
}

/// <summary>A transform (pg_dump's dumpTransform): how one type crosses into one language and back; no owner, no schema.</summary>
internal sealed class TransformObject(uint oid, string typeName, string language, string? fromSql, string? toSql)
    : DumpableObject(new CatalogId(CatalogClasses.Transform, oid), null, $"{typeName} {language}", null)
{
    public override ObjectKind Kind => ObjectKind.Transform;

    public override int Priority => Priorities.Transform;

    private string Target(DdlContext context) => $"FOR {typeName} LANGUAGE {context.Ident(language)}";

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        writer.Write($"CREATE TRANSFORM {Target(context)} (");
        if (fromSql is not null)
            writer.Write($"FROM SQL WITH FUNCTION {fromSql}");
        if (fromSql is not null && toSql is not null)
            writer.Write(", ");
        if (toSql is not null)
            writer.Write($"TO SQL WITH FUNCTION {toSql}");
        writer.Write(");\n");
        writer.EndStatement();
        context.WriteComment(writer, $"TRANSFORM {Target(context)}", Id);
    }

    public override void WriteDrop(TextWriter writer, DdlContext context, bool ifExists)
    {
        writer.Write($"DROP TRANSFORM {(ifExists ? "IF EXISTS " : "")}{Target(context)};\n");
        writer.EndStatement();
    }
}

/// <summary>An index or table access method (pg_dump's dumpAccessMethod); no owner, no schema.</summary>
internal sealed class AccessMethodObject(uint oid, string name, char type, string handler)
    : DumpableObject(new CatalogId(CatalogClasses.AccessMethod, oid), null, name, null)
{
    public override ObjectKind Kind => ObjectKind.AccessMethod;

    public override int Priority => Priorities.AccessMethod;

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        writer.Write($"CREATE ACCESS METHOD {context.Ident(Name)} TYPE {(type == 't' ? "TABLE" : "INDEX")} HANDLER {handler};\n");
        writer.EndStatement();
        context.WriteComment(writer, $"ACCESS METHOD {context.Ident(Name)}", Id);
    }

    public override void WriteDrop(TextWriter writer, DdlContext context, bool ifExists)
    {
        writer.Write($"DROP ACCESS METHOD {(ifExists ? "IF EXISTS " : "")}{context.Ident(Name)};\n");
        writer.EndStatement();
    }
}

/// <summary>An encoding conversion (pg_dump's dumpConversion).</summary>
internal sealed class ConversionObject(uint oid, string schema, string name, string owner, bool isDefault, string fromEncoding, string toEncoding, string function)
    : DumpableObject(new CatalogId(CatalogClasses.Conversion, oid), schema, name, owner)
{
    public override ObjectKind Kind => ObjectKind.Conversion;

    public override int Priority => Priorities.Conversion;

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        writer.Write($"CREATE {(isDefault ? "DEFAULT " : "")}CONVERSION {context.Qualified(Schema, Name)} FOR {SqlText.QuoteLiteral(fromEncoding)} TO {SqlText.QuoteLiteral(toEncoding)} FROM {function};\n");
        writer.EndStatement();
        context.WriteComment(writer, $"CONVERSION {context.Qualified(Schema, Name)}", Id);
    }

    public override void WriteOwner(TextWriter writer, DdlContext context)
    {
        writer.Write($"ALTER CONVERSION {context.Qualified(Schema, Name)} OWNER TO {context.Role(Owner!)};\n");
        writer.EndStatement();
    }

    public override void WriteDrop(TextWriter writer, DdlContext context, bool ifExists)
    {
        writer.Write($"DROP CONVERSION {(ifExists ? "IF EXISTS " : "")}{context.Qualified(Schema, Name)};\n");
        writer.EndStatement();
    }
}
