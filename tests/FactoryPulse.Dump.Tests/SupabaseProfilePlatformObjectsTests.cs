using FactoryPulse.Dump.Dumping;
using FactoryPulse.Dump.Model;
using FactoryPulse.Dump.Profiles;

namespace FactoryPulse.Dump.Tests;

/// <summary>
/// What the platform owns stays the platform's (issue 14): its roles' default privileges and grants on built-ins are left
/// out, and its extensions and public schema are marked as data so that a restore never alters, comments on or drops them.
/// </summary>
public sealed class SupabaseProfilePlatformObjectsTests
{
    private static readonly Dictionary<string, string?> SchemaOwners = new(StringComparer.Ordinal)
    {
        ["public"] = "pg_database_owner",
        ["extensions"] = "postgres",
        ["app"] = "postgres",
        ["pg_catalog"] = "postgres",
    };

    private static bool Keeps(DumpableObject item) => SupabaseProfile.Keeps(item, includeAuthData: true, SchemaOwners);

    private static AclChanges Grant(string grantor, string grantee, string privilege) => new([], [new AclItem(grantor, grantee, privilege, false)]);

    [Fact]
    public void Given_default_privileges_of_a_platform_role_then_the_profile_leaves_them_out_and_keeps_the_users()
    {
        Keeps(new DefaultAclObject(16900, "supabase_admin", "public", 'r', Grant("supabase_admin", "anon", "SELECT"))).Should().BeFalse();
        Keeps(new DefaultAclObject(16901, "supabase_admin", null, 'f', Grant("supabase_admin", "anon", "EXECUTE"))).Should().BeFalse();
        Keeps(new DefaultAclObject(16902, "postgres", "public", 'r', Grant("postgres", "anon", "SELECT"))).Should().BeTrue();
    }

    [Fact]
    public void Given_grants_on_built_ins_then_the_profile_leaves_them_to_the_platform()
    {
        var catalogSchema = new SchemaObject(11, "pg_catalog", "postgres");
        var builtIn = new TableObject(1259, "pg_catalog", "pg_class", "postgres", false, null, 'n', false, false);

        Keeps(new AclObject(catalogSchema, "SCHEMA", "pg_catalog", Grant("postgres", "dashboard_user", "CREATE"), [])).Should().BeFalse();
        Keeps(new AclObject(builtIn, "TABLE", "pg_catalog.pg_class", Grant("postgres", "dashboard_user", "SELECT"), [])).Should().BeFalse();
    }

    [Fact]
    public void Given_extensions_then_those_in_the_platforms_schemas_and_public_are_marked_as_the_platforms()
    {
        var platformExtension = new ExtensionObject(16950, "pgcrypto", "extensions", "1.3");
        var userExtension = new ExtensionObject(16951, "pg_trgm", "app", "1.6");
        var publicSchema = new SchemaObject(2200, "public", "pg_database_owner");
        var userSchema = new SchemaObject(16952, "app", "postgres");

        SupabaseProfile.MarkPlatformObjects([platformExtension, userExtension, publicSchema, userSchema], SchemaOwners);

        platformExtension.ManagedByPlatform.Should().BeTrue();
        userExtension.ManagedByPlatform.Should().BeFalse("an extension the user created in a schema of their own is theirs");
        publicSchema.ManagedByPlatform.Should().BeTrue();
        userSchema.ManagedByPlatform.Should().BeFalse();
    }

    [Fact]
    public void Given_an_extension_of_the_platform_then_its_entry_says_so_and_has_no_comment_owner_or_drop()
    {
        var context = new DdlContext(new HashSet<string>(StringComparer.Ordinal), new Dictionary<(uint, uint, int), string>
        {
            [(CatalogClasses.Extension, 16950, 0)] = "cryptographic functions",
            [(CatalogClasses.Namespace, 2200, 0)] = "standard public schema",
        });
        var extension = new ExtensionObject(16950, "pgcrypto", "extensions", "1.3") { ManagedByPlatform = true };
        var publicSchema = new SchemaObject(2200, "public", "pg_database_owner") { ManagedByPlatform = true };
        var usersExtension = new ExtensionObject(16950, "pgcrypto", "extensions", "1.3");

        var entry = TocBuilder.Build(extension, context);
        var schemaEntry = TocBuilder.Build(publicSchema, context);
        var usersEntry = TocBuilder.Build(usersExtension, context);

        entry.Statements.Should().Equal("CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA extensions;\n");
        entry.DropStatements.Should().BeNull();
        entry.DropIfExistsStatements.Should().BeNull();
        entry.Facts!.ManagedByPlatform.Should().BeTrue();
        schemaEntry.OwnerStatements.Should().BeNull("the platform decides who owns public");
        schemaEntry.Facts!.ManagedByPlatform.Should().BeTrue();
        schemaEntry.Facts.CreatesSchema.Should().BeFalse();
        usersEntry.Statements.Should().HaveCount(2);
        usersEntry.DropStatements.Should().NotBeNull();
        usersEntry.Facts.Should().BeNull();
    }
}
