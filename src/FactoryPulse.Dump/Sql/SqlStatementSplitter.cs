namespace FactoryPulse.Dump.Sql;

/// <summary>
/// Splits SQL text into statements the way psql does: semicolons inside quotes, dollar quotes, comments and
/// SQL-standard function bodies (BEGIN ATOMIC … END, with CASE … END inside) do not end a statement.
/// Needed because Npgsql splits multi-statement text itself and cannot see BEGIN ATOMIC bodies.
/// </summary>
internal static class SqlStatementSplitter
{
    public static List<string> Split(string sql) => Split(sql, null);

    /// <param name="sql">The text to split.</param>
    /// <param name="starts">When given, receives where each returned (trimmed) statement starts in <paramref name="sql"/>.</param>
    public static List<string> Split(string sql, List<int>? starts)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var statements = new List<string>();
        var start = 0;
        var i = 0;
        var identifiers = 0; // identifiers seen in this statement (psql's identifier_count)
        Span<char> leading = stackalloc char[4]; // first letters of the leading CREATE [OR REPLACE] FUNCTION|PROCEDURE
        var beginDepth = 0;
        var parenDepth = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (c == '-' && i + 1 < sql.Length && sql[i + 1] == '-')
            {
                var end = sql.IndexOf('\n', i);
                i = end < 0 ? sql.Length : end + 1;
                continue;
            }
            if (c == '/' && i + 1 < sql.Length && sql[i + 1] == '*')
            {
                i = SkipBlockComment(sql, i);
                continue;
            }
            if (c == '\'')
            {
                var escaped = i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') && (i < 2 || !IsIdentifierPart(sql[i - 2]));
                i = SkipQuoted(sql, i, '\'', escaped);
                continue;
            }
            if (c == '"')
            {
                i = SkipQuoted(sql, i, '"', backslashEscapes: false);
                identifiers++;
                continue;
            }
            if (c == '$' && TryDollarTag(sql, i, out var tag))
            {
                var close = sql.IndexOf(tag, i + tag.Length, StringComparison.Ordinal);
                i = close < 0 ? sql.Length : close + tag.Length;
                continue;
            }
            if (IsIdentifierStart(c))
            {
                var wordStart = i;
                while (i < sql.Length && IsIdentifierPart(sql[i]))
                    i++;
                var word = sql.AsSpan(wordStart, i - wordStart);
                if (identifiers == 0)
                    leading.Clear();
                if (identifiers < leading.Length && IsCreateRoutineWord(word))
                    leading[identifiers] = char.ToLowerInvariant(word[0]);
                identifiers++;
                // psql's heuristic: only the body of CREATE [OR REPLACE] FUNCTION|PROCEDURE, outside parentheses,
                // counts BEGIN … END blocks; a column named "begin" elsewhere is just a name.
                if (parenDepth == 0 && IsCreateRoutine(leading))
                {
                    if (word.Equals("begin", StringComparison.OrdinalIgnoreCase))
                        beginDepth++;
                    else if (word.Equals("case", StringComparison.OrdinalIgnoreCase) && beginDepth > 0)
                        beginDepth++;
                    else if (word.Equals("end", StringComparison.OrdinalIgnoreCase) && beginDepth > 0)
                        beginDepth--;
                }
                continue;
            }
            switch (c)
            {
                case '(':
                    parenDepth++;
                    break;
                case ')':
                    if (parenDepth > 0)
                        parenDepth--;
                    break;
                case ';' when parenDepth == 0 && beginDepth == 0:
                    AddStatement(statements, starts, sql, start, i + 1);
                    start = i + 1;
                    identifiers = 0;
                    break;
            }
            i++;
        }
        AddStatement(statements, starts, sql, start, sql.Length);
        return statements;
    }

    private static bool IsCreateRoutineWord(ReadOnlySpan<char> word) =>
        word.Equals("create", StringComparison.OrdinalIgnoreCase) || word.Equals("function", StringComparison.OrdinalIgnoreCase)
        || word.Equals("procedure", StringComparison.OrdinalIgnoreCase) || word.Equals("or", StringComparison.OrdinalIgnoreCase)
        || word.Equals("replace", StringComparison.OrdinalIgnoreCase);

    private static bool IsCreateRoutine(ReadOnlySpan<char> leading) =>
        leading[0] == 'c' && (leading[1] is 'f' or 'p' || (leading[1] == 'o' && leading[2] == 'r' && leading[3] is 'f' or 'p'));

    private static void AddStatement(List<string> statements, List<int>? starts, string sql, int start, int end)
    {
        var piece = sql.AsSpan(start, end - start);
        var text = piece.Trim().ToString();
        if (text.Length > 0 && text != ";" && !IsOnlyComments(text))
        {
            statements.Add(text);
            starts?.Add(start + piece.Length - piece.TrimStart().Length);
        }
    }

    private static bool IsOnlyComments(string text)
    {
        var i = 0;
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                i++;
            }
            else if (text[i] == '-' && i + 1 < text.Length && text[i + 1] == '-')
            {
                var end = text.IndexOf('\n', i);
                i = end < 0 ? text.Length : end + 1;
            }
            else if (text[i] == '/' && i + 1 < text.Length && text[i + 1] == '*')
            {
                i = SkipBlockComment(text, i);
            }
            else
            {
                return false;
            }
        }
        return true;
    }

    private static int SkipBlockComment(string sql, int i)
    {
        // Block comments nest in PostgreSQL.
        var depth = 0;
        while (i < sql.Length)
        {
            if (sql[i] == '/' && i + 1 < sql.Length && sql[i + 1] == '*')
            {
                depth++;
                i += 2;
            }
            else if (sql[i] == '*' && i + 1 < sql.Length && sql[i + 1] == '/')
            {
                depth--;
                i += 2;
                if (depth == 0)
                    return i;
            }
            else
            {
                i++;
            }
        }
        return i;
    }

    private static int SkipQuoted(string sql, int i, char quote, bool backslashEscapes)
    {
        i++;
        while (i < sql.Length)
        {
            if (backslashEscapes && sql[i] == '\\')
            {
                i += 2;
                continue;
            }
            if (sql[i] == quote)
            {
                if (i + 1 < sql.Length && sql[i + 1] == quote)
                {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        return i;
    }

    private static bool TryDollarTag(string sql, int i, out string tag)
    {
        tag = "";
        // $1 is a parameter and a$b an identifier, not a dollar quote.
        if (i > 0 && IsIdentifierPart(sql[i - 1]))
            return false;
        var j = i + 1;
        if (j < sql.Length && char.IsAsciiDigit(sql[j]))
            return false;
        while (j < sql.Length && sql[j] != '$')
        {
            if (!IsIdentifierPart(sql[j]))
                return false;
            j++;
        }
        if (j >= sql.Length)
            return false;
        tag = sql[i..(j + 1)];
        return true;
    }

    private static bool IsIdentifierStart(char c) => char.IsAsciiLetter(c) || c == '_' || c > 127;

    private static bool IsIdentifierPart(char c) => char.IsAsciiLetterOrDigit(c) || c == '_' || c == '$' || c > 127;
}
