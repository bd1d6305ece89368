namespace FactoryPulse.Dump;

/// <summary>
/// A redaction rule cannot be honoured so that the archive still restores: the column is NOT NULL and no neutral value
/// of its type fits, a CHECK constraint, unique key or foreign key would reject the replacement, a given value is not
/// valid for the column's type, or the rule names a column that does not exist. Thrown after the catalog is read and
/// before anything is written. Like the other option errors it is an <see cref="ArgumentException"/>: the options do not
/// fit the database (the CLI exits with 2).
/// </summary>
public sealed class RedactionRefusedException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">One line naming the column, why it cannot be redacted, and what to do instead.</param>
    /// <param name="paramName">The option that asked for the redaction (<c>Redact</c> or <c>RedactSupabaseSecrets</c>).</param>
    /// <param name="column">The column as <c>schema.table.column</c>.</param>
    public RedactionRefusedException(string message, string paramName, string column) : base(message, paramName)
    {
        Column = column;
    }

    /// <summary>The column that cannot be redacted, as <c>schema.table.column</c>.</summary>
    public string Column { get; }

    /// <summary>The constraint or unique index that rejects every replacement, when one does.</summary>
    public string? ConstraintName { get; init; }
}
