using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using Npgsql;

namespace FactoryPulse.Dump;

/// <summary>
/// The members of a public options record as its <c>ToString()</c> prints them, with secrets hidden: a record's generated
/// ToString would print connection-string passwords and encryption passphrases into whatever log a caller writes it to.
/// </summary>
internal static class OptionsText
{
    public const string Hidden = "(hidden)";

    public static bool PrintMembers<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T>(T options, StringBuilder builder)
        where T : notnull
    {
        var first = true;
        foreach (var property in typeof(T).GetProperties())
        {
            if (property.GetIndexParameters().Length != 0 || property.GetMethod is not { IsPublic: true, IsStatic: false })
                continue;
            if (!first)
                builder.Append(", ");
            first = false;
            builder.Append(property.Name).Append(" = ").Append(Value(property.Name, property.GetValue(options)));
        }
        return !first;
    }

    internal static string Value(string name, object? value) => value switch
    {
        null => "",
        string text when name.EndsWith("ConnectionString", StringComparison.Ordinal) => WithoutPassword(text),
        _ when IsSecret(name) => Hidden,
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static bool IsSecret(string name) =>
        name.Contains("Passphrase", StringComparison.Ordinal) || name.Contains("Password", StringComparison.Ordinal)
        || name.Contains("Secret", StringComparison.Ordinal) || name.EndsWith("Key", StringComparison.Ordinal);

    /// <summary>The connection string with its password replaced; one that does not parse is hidden whole, as it may hold one anywhere.</summary>
    internal static string WithoutPassword(string connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            if (!string.IsNullOrEmpty(builder.Password))
                builder.Password = Hidden;
            return builder.ConnectionString;
        }
        catch (ArgumentException)
        {
            return Hidden;
        }
    }
}
