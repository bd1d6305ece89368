using FactoryPulse.Dump.Sql;

namespace FactoryPulse.Dump.Model;

internal sealed class CollationObject(uint oid, string schema, string name, string owner, char provider, string? collate, string? ctype, string? locale, bool deterministic)
    : DumpableObject(new CatalogId(CatalogClasses.Collation, oid), schema, name, owner)
{
    public override ObjectKind Kind => ObjectKind.Collation;

    public override int Priority => Priorities.Collation;

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        var options = new List<string>();
        switch (provider)
        {
            case 'i':
                options.Add("provider = icu");
                options.Add($"locale = {SqlText.QuoteLiteral(locale ?? collate ?? "")}");
                break;
            case 'b':
                options.Add("provider = builtin");
                options.Add($"locale = {SqlText.QuoteLiteral(locale ?? "C")}");
                break;
            default:
                options.Add("provider = libc");
                if (collate == ctype)
                {
                    options.Add($"locale = {SqlText.QuoteLiteral(collate ?? "")}");
                }
                else
                {
                    options.Add($"lc_collate = {SqlText.QuoteLiteral(collate ?? "")}");
                    options.Add($"lc_ctype = {SqlText.QuoteLiteral(ctype ?? "")}");
                }
                break;
        }
        if (!deterministic)
            options.Add("deterministic = false");
        writer.Write($"CREATE COLLATION {context.Qualified(Schema, Name)} ({string.Join(", ", options)});\n");
        writer.EndStatement();
        context.WriteComment(writer, $"COLLATION {context.Qualified(Schema, Name)}", Id);
    }

    public override void WriteOwner(TextWriter writer, DdlContext context)
    {
        writer.Write($"ALTER COLLATION {context.Qualified(Schema, Name)} OWNER TO {context.Role(Owner!)};\n");
        writer.EndStatement();
    }

    public override void WriteDrop(TextWriter writer, DdlContext context, bool ifExists)
    {
        writer.Write($"DROP COLLATION {(ifExists ? "IF EXISTS " : "")}{context.Qualified(Schema, Name)};\n");
        writer.EndStatement();
    }
}

internal sealed class TextSearchDictionaryObject(uint oid, string schema, string name, string owner, string template, string? options)
    : DumpableObject(new CatalogId(CatalogClasses.TextSearchDictionary, oid), schema, name, owner)
{
    public override ObjectKind Kind => ObjectKind.TextSearchDictionary;

    public override int Priority => Priorities.TextSearchDictionary;

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        writer.Write($"CREATE TEXT SEARCH DICTIONARY {context.Qualified(Schema, Name)} (\n    TEMPLATE = {template}");
        if (!string.IsNullOrEmpty(options))
            writer.Write($",\n    {options}");
        writer.Write(" );\n");
        writer.EndStatement();
        context.WriteComment(writer, $"TEXT SEARCH DICTIONARY {context.Qualified(Schema, Name)}", Id);
    }

    public override void WriteOwner(TextWriter writer, DdlContext context)
    {
        writer.Write($"ALTER TEXT SEARCH DICTIONARY {context.Qualified(Schema, Name)} OWNER TO {context.Role(Owner!)};\n");
        writer.EndStatement();
    }

    public override void WriteDrop(TextWriter writer, DdlContext context, bool ifExists)
    {
        writer.Write($"DROP TEXT SEARCH DICTIONARY {(ifExists ? "IF EXISTS " : "")}{context.Qualified(Schema, Name)};\n");
        writer.EndStatement();
    }
}

internal sealed record TextSearchMapping(string TokenType, IReadOnlyList<string> Dictionaries);

internal sealed class TextSearchConfigurationObject(uint oid, string schema, string name, string owner, string parser, IReadOnlyList<TextSearchMapping> mappings)
    : DumpableObject(new CatalogId(CatalogClasses.TextSearchConfiguration, oid), schema, name, owner)
{
    public override ObjectKind Kind => ObjectKind.TextSearchConfiguration;

    public override int Priority => Priorities.TextSearchConfiguration;

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        var qualified = context.Qualified(Schema, Name);
        writer.Write($"CREATE TEXT SEARCH CONFIGURATION {qualified} (\n    PARSER = {parser} );\n");
        writer.EndStatement();
        foreach (var mapping in mappings)
        {
            writer.Write($"ALTER TEXT SEARCH CONFIGURATION {qualified}\n    ADD MAPPING FOR {context.Ident(mapping.TokenType)} WITH {string.Join(", ", mapping.Dictionaries)};\n");
            writer.EndStatement();
        }
        context.WriteComment(writer, $"TEXT SEARCH CONFIGURATION {qualified}", Id);
    }

    public override void WriteOwner(TextWriter writer, DdlContext context)
    {
        writer.Write($"ALTER TEXT SEARCH CONFIGURATION {context.Qualified(Schema, Name)} OWNER TO {context.Role(Owner!)};\n");
        writer.EndStatement();
    }

    public override void WriteDrop(TextWriter writer, DdlContext context, bool ifExists)
    {
        writer.Write($"DROP TEXT SEARCH CONFIGURATION {(ifExists ? "IF EXISTS " : "")}{context.Qualified(Schema, Name)};\n");
        writer.EndStatement();
    }
}

internal sealed record RangeDefinition(string Subtype, string? OperatorClass, string? Collation, string? Canonical, string? SubtypeDiff, string? MultirangeName);

internal sealed class RangeTypeObject(uint oid, string schema, string name, string owner, RangeDefinition definition)
    : TypeObject(oid, schema, name, owner)
{
    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        var options = new List<string> { $"subtype = {definition.Subtype}" };
        if (definition.MultirangeName is not null)
            options.Add($"multirange_type_name = {definition.MultirangeName}");
        if (definition.OperatorClass is not null)
            options.Add($"subtype_opclass = {definition.OperatorClass}");
        if (definition.Collation is not null)
            options.Add($"collation = {definition.Collation}");
        if (definition.Canonical is not null)
            options.Add($"canonical = {definition.Canonical}");
        if (definition.SubtypeDiff is not null)
            options.Add($"subtype_diff = {definition.SubtypeDiff}");
        writer.Write($"CREATE TYPE {context.Qualified(Schema, Name)} AS RANGE (\n    {string.Join(",\n    ", options)}\n);\n");
        writer.EndStatement();
        context.WriteComment(writer, $"TYPE {context.Qualified(Schema, Name)}", Id);
    }
}

internal sealed class TextSearchParserObject(uint oid, string schema, string name, string start, string getToken, string end, string lexTypes, string? headline)
    : DumpableObject(new CatalogId(CatalogClasses.TextSearchParser, oid), schema, name, null)
{
    public override ObjectKind Kind => ObjectKind.TextSearchParser;

    public override int Priority => Priorities.TextSearchParser;

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        writer.Write($"CREATE TEXT SEARCH PARSER {context.Qualified(Schema, Name)} (\n    START = {start},\n    GETTOKEN = {getToken},\n    END = {end},\n    LEXTYPES = {lexTypes}");
        if (headline is not null)
            writer.Write($",\n    HEADLINE = {headline}");
        writer.Write(" );\n");
        writer.EndStatement();
        context.WriteComment(writer, $"TEXT SEARCH PARSER {context.Qualified(Schema, Name)}", Id);
    }

    public override void WriteDrop(TextWriter writer, DdlContext context, bool ifExists)
    {
        writer.Write($"DROP TEXT SEARCH PARSER {(ifExists ? "IF EXISTS " : "")}{context.Qualified(Schema, Name)};\n");
        writer.EndStatement();
    }
}

internal sealed class TextSearchTemplateObject(uint oid, string schema, string name, string? init, string lexize)
    : DumpableObject(new CatalogId(CatalogClasses.TextSearchTemplate, oid), schema, name, null)
{
    public override ObjectKind Kind => ObjectKind.TextSearchTemplate;

    public override int Priority => Priorities.TextSearchTemplate;

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        writer.Write($"CREATE TEXT SEARCH TEMPLATE {context.Qualified(Schema, Name)} (\n");
        if (init is not null)
            writer.Write($"    INIT = {init},\n");
        writer.Write($"    LEXIZE = {lexize} );\n");
        writer.EndStatement();
        context.WriteComment(writer, $"TEXT SEARCH TEMPLATE {context.Qualified(Schema, Name)}", Id);
    }

    public override void WriteDrop(TextWriter writer, DdlContext context, bool ifExists)
    {
        writer.Write($"DROP TEXT SEARCH TEMPLATE {(ifExists ? "IF EXISTS " : "")}{context.Qualified(Schema, Name)};\n");
        writer.EndStatement();
    }
}
