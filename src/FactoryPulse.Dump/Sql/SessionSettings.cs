namespace FactoryPulse.Dump.Sql;

/// <summary>
/// The one place session settings are chosen: what the dump's connections run, what the restore's run on top, and
/// the same SETs at the head of a plain script (as pg_dump writes them, for psql).
/// </summary>
internal static class SessionSettings
{
    private const string StatementTimeout = "SET statement_timeout = 0";
    private const string LockTimeout = "SET lock_timeout = 0";
    private const string IdleTimeout = "SET idle_in_transaction_session_timeout = 0";
    private const string ClientEncoding = "SET client_encoding = 'UTF8'";
    private const string StandardStrings = "SET standard_conforming_strings = on";
    private const string DateStyle = "SET DateStyle = ISO";
    private const string IntervalStyle = "SET IntervalStyle = postgres";
    private const string FloatDigits = "SET extra_float_digits = 3";
    private const string RowSecurity = "SET row_security = off";
    // Every name the deparsers print is then schema-qualified.
    private const string EmptySearchPath = "SELECT pg_catalog.set_config('search_path', '', false)";
    private const string NoFunctionBodyChecks = "SET check_function_bodies = false";
    private const string XmlContent = "SET xmloption = content";
    private const string QuietNotices = "SET client_min_messages = warning";

    /// <summary>The dump's: names qualified by the deparsers, values printed without loss, nothing timing out.</summary>
    public const string Dump =
        StatementTimeout + "; " + LockTimeout + "; " + IdleTimeout + "; " + ClientEncoding + "; " + StandardStrings + "; " + DateStyle + "; " +
        IntervalStyle + "; " + FloatDigits + "; " + RowSecurity + "; " + EmptySearchPath;

    /// <summary>The restore's: the dump's, and function bodies that may refer to objects created later are not checked.</summary>
    public const string Restore = Dump + "; " + NoFunctionBodyChecks + "; " + XmlContent + "; " + QuietNotices;

    /// <summary>The plain script's header, one statement a line (pg_dump's order).</summary>
    public const string ScriptHeader =
        StatementTimeout + ";\n" + LockTimeout + ";\n" + IdleTimeout + ";\n" + ClientEncoding + ";\n" + StandardStrings + ";\n" + EmptySearchPath + ";\n" +
        NoFunctionBodyChecks + ";\n" + XmlContent + ";\n" + QuietNotices + ";\n" + RowSecurity + ";\n";
}
