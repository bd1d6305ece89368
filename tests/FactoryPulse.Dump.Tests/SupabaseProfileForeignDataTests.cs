using FactoryPulse.Dump.Model;
using FactoryPulse.Dump.Profiles;

namespace FactoryPulse.Dump.Tests;

/// <summary>Supabase's "wrappers" are the user's: the profile keeps wrappers, servers, user mappings and foreign tables the user made.</summary>
public sealed class SupabaseProfileForeignDataTests
{
    private static readonly Dictionary<string, string?> SchemaOwners = new(StringComparer.Ordinal)
    {
        ["public"] = "pg_database_owner",
        ["stripe"] = "postgres",
        ["auth"] = "supabase_auth_admin",
    };

    private static bool Keeps(DumpableObject item) => SupabaseProfile.Keeps(item, includeAuthData: true, SchemaOwners);

    [Fact]
    public void Given_the_Supabase_profile_when_a_wrapper_server_and_mappings_exist_then_they_are_kept_whoever_owns_them()
    {
        var wrapper = new ForeignDataWrapperObject(16800, "stripe_wrapper", "supabase_admin", "extensions.stripe_fdw_handler", "extensions.stripe_fdw_validator", null);
        var server = new ForeignServerObject(16810, "stripe_server", "postgres", "stripe_wrapper", null, null, "api_key_id '1234'");
        var mapping = new UserMappingObject(16820, server, "authenticated", null);
        var grant = new AclObject(server, "FOREIGN SERVER", "stripe_server", new AclChanges([], [new AclItem("postgres", "authenticated", "USAGE", false)]), []);

        Keeps(wrapper).Should().BeTrue();
        Keeps(server).Should().BeTrue();
        Keeps(mapping).Should().BeTrue();
        Keeps(grant).Should().BeTrue();
    }

    [Fact]
    public void Given_the_Supabase_profile_then_foreign_tables_in_user_schemas_are_kept_and_those_in_platform_schemas_are_not()
    {
        static TableObject Foreign(string schema) =>
            new(16830, schema, "customers", "postgres", false, null, 'd', false, false) { Foreign = new ForeignTableInfo("stripe_server", "object 'customers'") };

        Keeps(Foreign("stripe")).Should().BeTrue();
        Keeps(Foreign("public")).Should().BeTrue();
        Keeps(Foreign("auth")).Should().BeFalse("the platform's schemas are the platform's, as for tables");
    }
}
