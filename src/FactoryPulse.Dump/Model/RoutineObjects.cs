using FactoryPulse.Dump.Sql;

namespace FactoryPulse.Dump.Model;

internal sealed record AggregateDefinition(
    string Arguments,
    char AggregateKind,
    string TransitionFunction,
    string StateType,
    int StateSpace,
    string? FinalFunction,
    bool FinalExtra,
    char FinalModify,
    string? CombineFunction,
    string? SerialFunction,
    string? DeserialFunction,
    string? MovingTransitionFunction,
    string? MovingInverseFunction,
    string? MovingStateType,
    int MovingStateSpace,
    string? MovingFinalFunction,
    bool MovingFinalExtra,
    char MovingFinalModify,
    string? InitialCondition,
    string? MovingInitialCondition,
    string? SortOperator,
    char Parallel);

/// <summary>CREATE AGGREGATE, rebuilt from pg_aggregate as pg_dump does (there is no server deparser for it).</summary>
internal sealed class AggregateObject(uint oid, string schema, string name, string owner, string identityArguments, AggregateDefinition definition)
    : DumpableObject(new CatalogId(CatalogClasses.Proc, oid), schema, name, owner)
{
    public override ObjectKind Kind => ObjectKind.Aggregate;

    public override int Priority => Priorities.Aggregate;

    public override string SortDetail => identityArguments;

    public string Signature(DdlContext context) =>
        $"{context.Qualified(Schema, Name)}({(identityArguments.Length == 0 ? "*" : identityArguments)})";

    public override GrantTarget? PrivilegeTarget(DdlContext context) => new("FUNCTION", Signature(context));

    public override char? DefaultAclType => 'f';

    private static string Modify(char modify) => modify switch
    {
        's' => "SHAREABLE",
        'w' => "READ_WRITE",
        _ => "READ_ONLY",
    };

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        var d = definition;
        var options = new List<string>
        {
            $"SFUNC = {d.TransitionFunction}",
            $"STYPE = {d.StateType}",
        };
        if (d.StateSpace != 0)
            options.Add($"SSPACE = {d.StateSpace}");
        if (d.FinalFunction is not null)
        {
            options.Add($"FINALFUNC = {d.FinalFunction}");
            if (d.FinalExtra)
                options.Add("FINALFUNC_EXTRA");
            options.Add($"FINALFUNC_MODIFY = {Modify(d.FinalModify)}");
        }
        if (d.CombineFunction is not null)
            options.Add($"COMBINEFUNC = {d.CombineFunction}");
        if (d.SerialFunction is not null)
            options.Add($"SERIALFUNC = {d.SerialFunction}");
        if (d.DeserialFunction is not null)
            options.Add($"DESERIALFUNC = {d.DeserialFunction}");
        if (d.InitialCondition is not null)
            options.Add($"INITCOND = {SqlText.QuoteLiteral(d.InitialCondition)}");
        if (d.MovingTransitionFunction is not null)
        {
            options.Add($"MSFUNC = {d.MovingTransitionFunction}");
            options.Add($"MINVFUNC = {d.MovingInverseFunction}");
            options.Add($"MSTYPE = {d.MovingStateType}");
            if (d.MovingStateSpace != 0)
                options.Add($"MSSPACE = {d.MovingStateSpace}");
            if (d.MovingFinalFunction is not null)
            {
                options.Add($"MFINALFUNC = {d.MovingFinalFunction}");
                if (d.MovingFinalExtra)
                    options.Add("MFINALFUNC_EXTRA");
                options.Add($"MFINALFUNC_MODIFY = {Modify(d.MovingFinalModify)}");
            }
            if (d.MovingInitialCondition is not null)
                options.Add($"MINITCOND = {SqlText.QuoteLiteral(d.MovingInitialCondition)}");
        }
        if (d.SortOperator is not null)
            options.Add($"SORTOP = {d.SortOperator}");
        if (d.AggregateKind == 'h')
            options.Add("HYPOTHETICAL");
        if (d.Parallel == 's')
            options.Add("PARALLEL = safe");
        else if (d.Parallel == 'r')
            options.Add("PARALLEL = restricted");
        writer.Write($"CREATE AGGREGATE {context.Qualified(Schema, Name)}({(d.Arguments.Length == 0 ? "*" : d.Arguments)}) (\n    {string.Join(",\n    ", options)}\n);\n");
        writer.EndStatement();
        context.WriteComment(writer, $"AGGREGATE {Signature(context)}", Id);
    }

    public override void WriteOwner(TextWriter writer, DdlContext context)
    {
        writer.Write($"ALTER AGGREGATE {Signature(context)} OWNER TO {context.Role(Owner!)};\n");
        writer.EndStatement();
    }

    public override void WriteDrop(TextWriter writer, DdlContext context, bool ifExists)
    {
        writer.Write($"DROP AGGREGATE {(ifExists ? "IF EXISTS " : "")}{Signature(context)};\n");
        writer.EndStatement();
    }
}

internal sealed class CastObject(uint oid, string source, string target, string? function, char context, char method)
    : DumpableObject(new CatalogId(CatalogClasses.Cast, oid), null, $"{source} AS {target}", null)
{
    public override ObjectKind Kind => ObjectKind.Cast;

    public override int Priority => Priorities.Cast;

    public override void WriteCreate(TextWriter writer, DdlContext ddl)
    {
        var how = method switch
        {
            'f' => $"WITH FUNCTION {function}",
            'i' => "WITH INOUT",
            _ => "WITHOUT FUNCTION",
        };
        var when = context switch
        {
            'a' => " AS ASSIGNMENT",
            'i' => " AS IMPLICIT",
            _ => "",
        };
        writer.Write($"CREATE CAST ({Name}) {how}{when};\n");
        writer.EndStatement();
        ddl.WriteComment(writer, $"CAST ({Name})", Id);
    }

    public override void WriteDrop(TextWriter writer, DdlContext ddl, bool ifExists)
    {
        writer.Write($"DROP CAST {(ifExists ? "IF EXISTS " : "")}({Name});\n");
        writer.EndStatement();
    }
}

internal sealed record OperatorDefinition(
    string? LeftType, string? RightType, string Function, string? Commutator, string? Negator, string? Restrict, string? Join, bool Hashes, bool Merges);

internal sealed class OperatorObject(uint oid, string schema, string name, string owner, OperatorDefinition definition)
    : DumpableObject(new CatalogId(CatalogClasses.Operator, oid), schema, name, owner)
{
    public override ObjectKind Kind => ObjectKind.Operator;

    public override int Priority => Priorities.Operator;

    public override string SortDetail => $"{definition.LeftType ?? "NONE"}, {definition.RightType ?? "NONE"}";

    private string Signature(DdlContext context) =>
        $"{context.Ident(Schema!)}.{Name} ({definition.LeftType ?? "NONE"}, {definition.RightType ?? "NONE"})";

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        var d = definition;
        var options = new List<string> { $"FUNCTION = {d.Function}" };
        if (d.LeftType is not null)
            options.Add($"LEFTARG = {d.LeftType}");
        if (d.RightType is not null)
            options.Add($"RIGHTARG = {d.RightType}");
        if (d.Commutator is not null)
            options.Add($"COMMUTATOR = {d.Commutator}");
        if (d.Negator is not null)
            options.Add($"NEGATOR = {d.Negator}");
        if (d.Restrict is not null)
            options.Add($"RESTRICT = {d.Restrict}");
        if (d.Join is not null)
            options.Add($"JOIN = {d.Join}");
        if (d.Hashes)
            options.Add("HASHES");
        if (d.Merges)
            options.Add("MERGES");
        writer.Write($"CREATE OPERATOR {context.Ident(Schema!)}.{Name} (\n    {string.Join(",\n    ", options)}\n);\n");
        writer.EndStatement();
        context.WriteComment(writer, $"OPERATOR {Signature(context)}", Id);
    }

    public override void WriteOwner(TextWriter writer, DdlContext context)
    {
        writer.Write($"ALTER OPERATOR {Signature(context)} OWNER TO {context.Role(Owner!)};\n");
        writer.EndStatement();
    }

    public override void WriteDrop(TextWriter writer, DdlContext context, bool ifExists)
    {
        writer.Write($"DROP OPERATOR {(ifExists ? "IF EXISTS " : "")}{Signature(context)};\n");
        writer.EndStatement();
    }
}

/// <summary>Restored last, like pg_dump does, so it cannot fire while the restore creates objects.</summary>
internal sealed class EventTriggerObject(uint oid, string name, string owner, string eventName, string function, char enabled, string[]? tags)
    : DumpableObject(new CatalogId(CatalogClasses.EventTrigger, oid), null, name, owner)
{
    public override ObjectKind Kind => ObjectKind.EventTrigger;

    public override int Priority => Priorities.EventTrigger;

    public override Section Section => Section.PostData;

    public override RestorePass Pass => RestorePass.PostAcl;

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        writer.Write($"CREATE EVENT TRIGGER {context.Ident(Name)} ON {context.Ident(eventName)}");
        if (tags is { Length: > 0 })
        {
            var quoted = new List<string>(tags.Length);
            foreach (var tag in tags)
                quoted.Add(SqlText.QuoteLiteral(tag));
            writer.Write($"\n    WHEN TAG IN ({string.Join(", ", quoted)})");
        }
        writer.Write($"\n    EXECUTE FUNCTION {function}();\n");
        writer.EndStatement();
        if (enabled != EnableState.Origin)
        {
            writer.Write($"ALTER EVENT TRIGGER {context.Ident(Name)} {EnableState.Words(enabled)};\n");
            writer.EndStatement();
        }
        context.WriteComment(writer, $"EVENT TRIGGER {context.Ident(Name)}", Id);
    }

    public override void WriteOwner(TextWriter writer, DdlContext context)
    {
        writer.Write($"ALTER EVENT TRIGGER {context.Ident(Name)} OWNER TO {context.Role(Owner!)};\n");
        writer.EndStatement();
    }

    public override void WriteDrop(TextWriter writer, DdlContext context, bool ifExists)
    {
        writer.Write($"DROP EVENT TRIGGER {(ifExists ? "IF EXISTS " : "")}{context.Ident(Name)};\n");
        writer.EndStatement();
    }
}

/// <summary>An OPERATOR or FUNCTION line of an operator class or family, already in CREATE OPERATOR CLASS syntax.</summary>
internal sealed record OperatorClassMember(string Text, uint ReferencedOperator, uint ReferencedFunction);

internal sealed class OperatorFamilyObject(uint oid, string schema, string name, string owner, string accessMethod)
    : DumpableObject(new CatalogId(CatalogClasses.OperatorFamily, oid), schema, name, owner)
{
    public override ObjectKind Kind => ObjectKind.OperatorFamily;

    public override int Priority => Priorities.OperatorFamily;

    public override string SortDetail => accessMethod;

    /// <summary>Members that belong to the family but to none of its classes ("loose" members).</summary>
    public List<OperatorClassMember> LooseMembers { get; } = [];

    public string Signature(DdlContext context) => $"{context.Qualified(Schema, Name)} USING {context.Ident(accessMethod)}";

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        writer.Write($"CREATE OPERATOR FAMILY {Signature(context)};\n");
        writer.EndStatement();
        if (LooseMembers.Count > 0)
        {
            var lines = new List<string>(LooseMembers.Count);
            foreach (var member in LooseMembers)
                lines.Add(member.Text);
            writer.Write($"ALTER OPERATOR FAMILY {Signature(context)} ADD\n    {string.Join(",\n    ", lines)};\n");
            writer.EndStatement();
        }
        context.WriteComment(writer, $"OPERATOR FAMILY {Signature(context)}", Id);
    }

    public override void WriteOwner(TextWriter writer, DdlContext context)
    {
        writer.Write($"ALTER OPERATOR FAMILY {Signature(context)} OWNER TO {context.Role(Owner!)};\n");
        writer.EndStatement();
    }

    public override void WriteDrop(TextWriter writer, DdlContext context, bool ifExists)
    {
        writer.Write($"DROP OPERATOR FAMILY {(ifExists ? "IF EXISTS " : "")}{Signature(context)};\n");
        writer.EndStatement();
    }
}

internal sealed class OperatorClassObject(uint oid, string schema, string name, string owner, string accessMethod, bool isDefault, string type, string family, string? storage)
    : DumpableObject(new CatalogId(CatalogClasses.OperatorClass, oid), schema, name, owner)
{
    public override ObjectKind Kind => ObjectKind.OperatorClass;

    public override int Priority => Priorities.OperatorClass;

    public override string SortDetail => accessMethod;

    public List<OperatorClassMember> Members { get; } = [];

    public string Signature(DdlContext context) => $"{context.Qualified(Schema, Name)} USING {context.Ident(accessMethod)}";

    public override void WriteCreate(TextWriter writer, DdlContext context)
    {
        var lines = new List<string>();
        if (storage is not null)
            lines.Add($"STORAGE {storage}");
        foreach (var member in Members)
            lines.Add(member.Text);
        writer.Write($"CREATE OPERATOR CLASS {context.Qualified(Schema, Name)}\n    {(isDefault ? "DEFAULT " : "")}FOR TYPE {type} USING {context.Ident(accessMethod)} FAMILY {family} AS\n    {string.Join(",\n    ", lines)};\n");
        writer.EndStatement();
        context.WriteComment(writer, $"OPERATOR CLASS {Signature(context)}", Id);
    }

    public override void WriteOwner(TextWriter writer, DdlContext context)
    {
        writer.Write($"ALTER OPERATOR CLASS {Signature(context)} OWNER TO {context.Role(Owner!)};\n");
        writer.EndStatement();
    }

    public override void WriteDrop(TextWriter writer, DdlContext context, bool ifExists)
    {
        writer.Write($"DROP OPERATOR CLASS {(ifExists ? "IF EXISTS " : "")}{Signature(context)};\n");
        writer.EndStatement();
    }
}
