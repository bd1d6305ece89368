using FactoryPulse.Dump.Sql;

namespace FactoryPulse.Dump.Model;

/// <summary>
/// A base type's properties as pg_dump's dumpBaseType reads them. Function names are regproc text (schema-qualified
/// under the empty search_path), <paramref name="Element"/> is format_type text, <paramref name="Length"/> is typlen.
/// </summary>
internal sealed record BaseTypeDefinition(
    string Input, string Output, string? Receive, string? Send, string? TypmodIn, string? TypmodOut, string? Analyze, string? Subscript,
    int Length, bool PassedByValue, char Alignment, char Storage, char Category, bool Preferred, string? Default, string? Element,
    string Delimiter, bool Collatable);

/// <summary>
/// A base type (CREATE TYPE … (INPUT = …, OUTPUT = …)): written after its I/O functions, which are written after the
/// type's <see cref="ShellTypeObject"/> — the same loop repair as pg_dump's repairTypeFuncLoop.
/// </summary>
internal sealed class BaseTypeObject(uint oid, string schema, string name, string owner, BaseTypeDefinition definition)
    : TypeObject(oid, schema, name, owner)
{
    public BaseTypeDefinition Definition { get; } = definition;

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        var d = Definition;
        writer.Write($"CREATE TYPE {context.Qualified(Schema, Name)} (\n");
        writer.Write($"    INTERNALLENGTH = {(d.Length == -1 ? "variable" : d.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))},\n");
        writer.Write($"    INPUT = {d.Input},\n    OUTPUT = {d.Output}");
        WriteOption(writer, "RECEIVE", d.Receive);
        WriteOption(writer, "SEND", d.Send);
        WriteOption(writer, "TYPMOD_IN", d.TypmodIn);
        WriteOption(writer, "TYPMOD_OUT", d.TypmodOut);
        WriteOption(writer, "ANALYZE", d.Analyze);
        WriteOption(writer, "SUBSCRIPT", d.Subscript);
        if (d.Collatable)
            writer.Write(",\n    COLLATABLE = true");
        if (d.Default is not null)
            writer.Write($",\n    DEFAULT = {SqlText.QuoteLiteral(d.Default)}");
        WriteOption(writer, "ELEMENT", d.Element);
        if (d.Category != 'U')
            writer.Write($",\n    CATEGORY = {SqlText.QuoteLiteral(d.Category.ToString())}");
        if (d.Preferred)
            writer.Write(",\n    PREFERRED = true");
        if (d.Delimiter != ",")
            writer.Write($",\n    DELIMITER = {SqlText.QuoteLiteral(d.Delimiter)}");
        writer.Write(d.Alignment switch
        {
            'c' => ",\n    ALIGNMENT = char",
            's' => ",\n    ALIGNMENT = int2",
            'd' => ",\n    ALIGNMENT = double",
            _ => ",\n    ALIGNMENT = int4",
        });
        writer.Write(d.Storage switch
        {
            'e' => ",\n    STORAGE = external",
            'x' => ",\n    STORAGE = extended",
            'm' => ",\n    STORAGE = main",
            _ => ",\n    STORAGE = plain",
        });
        if (d.PassedByValue)
            writer.Write(",\n    PASSEDBYVALUE");
        writer.Write("\n);\n");
        writer.EndStatement();
        context.WriteComment(writer, $"TYPE {context.Qualified(Schema, Name)}", Id);
    }

    private static void WriteOption(TextWriter writer, string option, string? value)
    {
        if (value is not null)
            writer.Write($",\n    {option} = {value}");
    }

    public override void WriteDrop(TextWriter writer, DdlContext context, bool ifExists)
    {
        // As pg_dump: the I/O functions depend on the type, so dropping it takes them along.
        writer.Write($"DROP TYPE {(ifExists ? "IF EXISTS " : "")}{context.Qualified(Schema, Name)} CASCADE;\n");
        writer.EndStatement();
    }
}

/// <summary>
/// CREATE TYPE name; — the placeholder a base type's I/O functions or a range type's canonical function are created against
/// (pg_dump's dumpShellType). The full CREATE TYPE later fills it; owner, comment and privileges belong to that entry.
/// </summary>
internal sealed class ShellTypeObject(TypeObject type)
    : DumpableObject(type.Id, type.Schema, type.Name, type.Owner)
{
    public TypeObject Type { get; } = type;

    public override ObjectKind Kind => ObjectKind.ShellType;

    public override int Priority => Priorities.Type;

    public override DumpableObject? Parent => Type;

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        writer.Write($"CREATE TYPE {context.Qualified(Schema, Name)};\n");
        writer.EndStatement();
    }
}

/// <summary>
/// A shell type nothing has filled yet (CREATE TYPE name; on its own, a pg_type row with typisdefined = false): pg_dump's
/// dumpUndefinedType keeps it as a TYPE entry with owner, comment and privileges.
/// </summary>
internal sealed class UndefinedTypeObject(uint oid, string schema, string name, string owner)
    : TypeObject(oid, schema, name, owner)
{
    // A shell type is created without privileges of its own (the server leaves typacl NULL).
    public override char? DefaultAclType => null;

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        writer.Write($"CREATE TYPE {context.Qualified(Schema, Name)};\n");
        writer.EndStatement();
        context.WriteComment(writer, $"TYPE {context.Qualified(Schema, Name)}", Id);
    }
}
