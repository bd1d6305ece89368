using FactoryPulse.Dump.Model;

namespace FactoryPulse.Dump.Profiles;

/// <summary>
/// What a Supabase project already has before the user's migrations run, kept in one place: schemas, roles and
/// publications the platform manages. With the Supabase profile these are not re-created, but what the user added
/// to them is kept: policies and user triggers on their tables, user functions, and the rows of buckets, storage
/// objects and (by default) auth users.
/// </summary>
internal static class SupabaseProfile
{
    public static readonly IReadOnlySet<string> ManagedSchemas = new HashSet<string>(StringComparer.Ordinal)
    {
        "auth", "storage", "realtime", "_realtime", "extensions", "graphql", "graphql_public", "vault", "pgsodium", "pgsodium_masks",
        "supabase_functions", "supabase_migrations", "pgbouncer", "net", "cron", "_analytics", "pgtle", "pgmq", "_supavisor",
    };

    public static readonly IReadOnlySet<string> ManagedRoles = new HashSet<string>(StringComparer.Ordinal)
    {
        "supabase_admin", "supabase_auth_admin", "supabase_storage_admin", "supabase_realtime_admin", "supabase_replication_admin",
        "supabase_read_only_user", "supabase_functions_admin", "supabase_etl_admin", "authenticator", "pgbouncer", "pgsodium_keyholder",
        "pgsodium_keyiduser", "pgsodium_keymaker", "dashboard_user",
    };

    public static readonly IReadOnlySet<string> ManagedPublications = new HashSet<string>(StringComparer.Ordinal) { "supabase_realtime" };

    /// <summary>Tables of managed schemas whose rows belong to the user.</summary>
    public static readonly IReadOnlySet<string> UserDataTables = new HashSet<string>(StringComparer.Ordinal)
    {
        "storage.buckets", "storage.objects",
    };

    public static readonly IReadOnlySet<string> AuthDataTables = new HashSet<string>(StringComparer.Ordinal)
    {
        "auth.users", "auth.identities",
    };

    /// <summary>
    /// Columns that hold credentials or tokens in Supabase's auth schema (for --redact-supabase-secrets), with the value
    /// written instead; null lets the redaction planner choose (NULL where the platform's column allows it, else a neutral
    /// value its constraints accept: '{}' for identity_data, 'redacted' for one_time_tokens.token_hash, whose CHECK refuses
    /// ''). GoTrue reads the users' token columns into plain strings and writes '' when it has no token (its partial
    /// unique indexes leave '' out), so those get ''; a NULL there makes every sign-in of the user fail.
    /// </summary>
    public static readonly IReadOnlyList<(string Column, string? Value)> SecretColumns =
    [
        ("auth.users.encrypted_password", null), ("auth.users.confirmation_token", ""), ("auth.users.recovery_token", ""),
        ("auth.users.email_change_token_new", ""), ("auth.users.email_change_token_current", ""), ("auth.users.phone_change_token", ""),
        ("auth.users.reauthentication_token", ""), ("auth.refresh_tokens.token", null), ("auth.refresh_tokens.parent", null),
        ("auth.identities.identity_data", null), ("auth.sessions.refresh_token_hmac_key", null), ("auth.mfa_factors.secret", null),
        ("auth.mfa_challenges.otp_code", null), ("auth.one_time_tokens.token_hash", null), ("auth.flow_state.auth_code", null),
        ("auth.flow_state.provider_access_token", null), ("auth.flow_state.provider_refresh_token", null),
        ("auth.oauth_clients.client_secret_hash", null),
    ];

    /// <summary>
    /// Functions the platform creates as postgres in its extensions schema (and the event triggers calling them): owned by
    /// the user's role, so only their names tell them from the user's own functions there.
    /// </summary>
    public static readonly IReadOnlySet<string> PlatformFunctions = new HashSet<string>(StringComparer.Ordinal)
    {
        "extensions.grant_pg_cron_access", "extensions.grant_pg_graphql_access", "extensions.grant_pg_net_access",
        "extensions.pgrst_ddl_watch", "extensions.pgrst_drop_watch", "extensions.set_graphql_placeholder",
    };

    private static bool IsPlatformFunction(FunctionObject function) => PlatformFunctions.Contains($"{function.Schema}.{function.Name}");

    /// <summary>Schemas of the server itself: their objects and privileges belong to the bootstrap superuser (supabase_admin on the platform).</summary>
    private static bool IsSystemSchema(string? schema) => schema is "pg_catalog" or "information_schema";

    /// <summary>
    /// Marks what the profile keeps only so that the target has it, as the platform's (see <see cref="DumpableObject.ManagedByPlatform"/>):
    /// extensions in the platform's schemas (pgcrypto, uuid-ossp in <c>extensions</c>: created when missing, never commented
    /// on or dropped, so --clean keeps them and their grants) and the <c>public</c> schema (its owner is the platform's;
    /// the hosted project's postgres could not hand it to pg_database_owner).
    /// </summary>
    public static void MarkPlatformObjects(IReadOnlyList<DumpableObject> objects, IReadOnlyDictionary<string, string?> schemaOwners)
    {
        foreach (var item in objects)
        {
            item.ManagedByPlatform = item switch
            {
                ExtensionObject extension => IsManagedSchema(extension.ExtensionSchema, schemaOwners.GetValueOrDefault(extension.ExtensionSchema)),
                SchemaObject schema => schema.IsPublic,
                _ => false,
            };
        }
    }

    public static bool IsManagedSchema(string? schema, string? owner) => schema is not null && (ManagedSchemas.Contains(schema) || (owner is not null && ManagedRoles.Contains(owner)));

    /// <summary>Whether the Supabase profile keeps an object (after the usual filters agreed).</summary>
    public static bool Keeps(DumpableObject item, bool includeAuthData, IReadOnlyDictionary<string, string?> schemaOwners)
    {
        var root = item;
        for (var depth = 0; root.Parent is not null && depth < 8; depth++)
            root = root.Parent;
        // Grants on built-ins (pg_catalog.pg_reload_conf() to dashboard_user) are the platform's; its postgres cannot give them.
        if (IsSystemSchema(root.Schema) || (root is SchemaObject { Name: var system } && IsSystemSchema(system)))
            return false;
        switch (root)
        {
            case DefaultAclObject defaults when defaults.Owner is not null && ManagedRoles.Contains(defaults.Owner):
                // ALTER DEFAULT PRIVILEGES FOR ROLE supabase_admin …: only members of that role may set them, and the platform has.
                return false;
            case PublicationObject publication:
                // The platform's publication exists already; the tables the user added to it are kept (their own entries).
                return item is not PublicationObject || !ManagedPublications.Contains(publication.Name);
            case EventTriggerObject trigger:
                return (trigger.Owner is null || !ManagedRoles.Contains(trigger.Owner))
                    && !trigger.Dependencies.Exists(dependency => dependency is FunctionObject function && IsPlatformFunction(function));
            case SchemaObject schema:
                return !IsManagedSchema(schema.Name, schema.Owner);
            case ForeignDataWrapperObject or ForeignServerObject:
                // Supabase's "wrappers" (Stripe, Firebase, …) are the user's: wrappers, servers and their user mappings are kept
                // whoever owns them (the platform may own a wrapper the user created through supautils).
                return true;
        }
        var schemaName = root.Schema;
        if (schemaName is null || !IsManagedSchema(schemaName, schemaOwners.GetValueOrDefault(schemaName)))
            return true;

        var qualified = $"{root.Schema}.{root.Name}";
        return item switch
        {
            // Policies the user put on managed tables (storage.objects, storage.buckets).
            PolicyObject => true,
            // A trigger the user put on a managed table calls one of the user's functions.
            TriggerObject trigger => trigger.Dependencies.Exists(dependency => dependency is FunctionObject function && !IsManagedSchema(function.Schema, schemaOwners.GetValueOrDefault(function.Schema!))),
            // Functions the user created in a managed schema (not owned by a platform role).
            FunctionObject function => function.Owner is not null && !ManagedRoles.Contains(function.Owner) && !IsPlatformFunction(function) && root == item,
            AclObject { Target: FunctionObject function } => function.Owner is not null && !ManagedRoles.Contains(function.Owner) && !IsPlatformFunction(function),
            TableDataObject => UserDataTables.Contains(qualified) || (includeAuthData && AuthDataTables.Contains(qualified)),
            _ => false,
        };
    }
}
