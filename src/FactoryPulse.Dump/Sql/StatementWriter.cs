using System.Globalization;

namespace FactoryPulse.Dump.Sql;

/// <summary>
/// A text writer that also knows where each statement ends: DDL writers call <see cref="StatementEnds.EndStatement"/>
/// right after writing a statement's terminating <c>;\n</c>, so the archive can carry statements as a list and nothing
/// downstream has to lex SQL (user text such as function bodies and comments may contain semicolons).
/// </summary>
internal sealed class StatementWriter : StringWriter
{
    private readonly List<string> _statements = [];
    private int _start;

    public StatementWriter() : base(CultureInfo.InvariantCulture) => NewLine = "\n";

    /// <summary>Ends the statement written since the previous end (whitespace alone is no statement).</summary>
    public void EndStatement()
    {
        var text = GetStringBuilder();
        var statement = text.ToString(_start, text.Length - _start);
        _start = text.Length;
        if (!string.IsNullOrWhiteSpace(statement))
            _statements.Add(statement);
    }

    /// <summary>Forgets everything written, keeping the buffer: one writer serves the many entries of an archive.</summary>
    public void Reset()
    {
        GetStringBuilder().Clear();
        _start = 0;
        _statements.Clear();
    }

    /// <summary>The statements written; text after the last end means a writer forgot to end a statement.</summary>
    public List<string> Statements()
    {
        var text = GetStringBuilder();
        var rest = text.ToString(_start, text.Length - _start);
        if (!string.IsNullOrWhiteSpace(rest))
            throw new InvalidOperationException($"DDL text was written without ending its statement: '{rest.Trim()}'.");
        return [.. _statements];
    }
}

/// <summary>Statement boundaries for any writer: only a <see cref="StatementWriter"/> records them.</summary>
internal static class StatementEnds
{
    public static void EndStatement(this TextWriter writer)
    {
        if (writer is StatementWriter statements)
            statements.EndStatement();
    }
}
