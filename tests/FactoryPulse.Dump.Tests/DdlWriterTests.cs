using FactoryPulse.Dump.Model;
using FactoryPulse.Dump.Sql;

namespace FactoryPulse.Dump.Tests;

public sealed class DdlWriterTests
{
    private const string Owner = "app_owner";

    // A sample of the server's non-unreserved keywords.
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal) { "user", "order", "select", "table", "end" };

    private static DdlContext Context(Dictionary<(uint ClassId, uint ObjectId, int SubId), string>? comments = null) =>
        new(Keywords, comments ?? []);

    private static string Create(DumpableObject item, DdlContext context)
    {
        using var writer = new StringWriter { NewLine = "\n" };
        item.WriteCreate(writer, context);
        // Every object written here also ends its statements where the lexer splits them.
        StatementBoundaryTests.AssertStatementsMatchLexer(statements => item.WriteCreate(statements, context));
        return writer.ToString();
    }

    private static ColumnInfo Column(int number, string name, string type, bool notNull = false, string? generated = null) =>
        new(number, name, type, notNull, generated, Collation: null, Storage: null, StatisticsTarget: -1, TypeOid: 0);

    private static TableObject Orders() =>
        new(16500, "public", "orders", Owner, unlogged: false, options: null, replicaIdentity: 'd', rowSecurity: false, forceRowSecurity: false);

    [Fact]
    public void Table_DDL_writes_columns_generated_columns_checks_and_comments()
    {
        var table = Orders();
        table.Columns.Add(Column(1, "id", "bigint", notNull: true));
        table.Columns.Add(Column(2, "Qty", "integer"));
        table.Columns.Add(Column(3, "user", "text"));
        table.Columns.Add(Column(4, "total", "numeric", generated: "(\"Qty\" * 2)"));
        table.Checks.Add(new InlineCheck(16510, "qty_positive", "CHECK ((\"Qty\" > 0))"));
        var context = Context(new()
        {
            [(CatalogClasses.Class, 16500, 0)] = "Orders; it's one per row",
            [(CatalogClasses.Class, 16500, 4)] = "computed",
            [(CatalogClasses.Constraint, 16510, 0)] = "no zero",
        });

        var ddl = Create(table, context);

        ddl.Should().Be(
            "CREATE TABLE public.orders (\n" +
            "    id bigint NOT NULL,\n" +
            "    \"Qty\" integer,\n" +
            "    \"user\" text,\n" +
            "    total numeric GENERATED ALWAYS AS ((\"Qty\" * 2)) STORED,\n" +
            "    CONSTRAINT qty_positive CHECK ((\"Qty\" > 0))\n" +
            ");\n" +
            "\nCOMMENT ON TABLE public.orders IS 'Orders; it''s one per row';\n" +
            "\nCOMMENT ON COLUMN public.orders.total IS 'computed';\n" +
            "\nCOMMENT ON CONSTRAINT qty_positive ON public.orders IS 'no zero';\n");
        SqlStatementSplitter.Split(ddl).Should().HaveCount(4);
    }

    [Fact]
    public void Table_DDL_writes_unlogged_options_storage_statistics_and_replica_identity()
    {
        var table = new TableObject(16501, "Sales", "t", Owner, unlogged: true, options: "fillfactor='70'", replicaIdentity: 'f', rowSecurity: false, forceRowSecurity: false);
        table.Columns.Add(new ColumnInfo(1, "doc", "text", false, null, "pg_catalog.\"C\"", "EXTERNAL", 500, TypeOid: 0));

        var ddl = Create(table, Context());

        ddl.Should().Be(
            "CREATE UNLOGGED TABLE \"Sales\".t (\n" +
            "    doc text COLLATE pg_catalog.\"C\"\n" +
            ")\nWITH (fillfactor='70');\n" +
            "ALTER TABLE ONLY \"Sales\".t ALTER COLUMN doc SET STORAGE EXTERNAL;\n" +
            "ALTER TABLE ONLY \"Sales\".t ALTER COLUMN doc SET STATISTICS 500;\n" +
            "ALTER TABLE ONLY \"Sales\".t REPLICA IDENTITY FULL;\n");
    }

    [Fact]
    public void Table_DDL_writes_compression_and_FORCE_ROW_LEVEL_SECURITY_even_without_ENABLE()
    {
        var table = new TableObject(16507, "public", "docs", Owner, unlogged: false, options: null, replicaIdentity: 'd', rowSecurity: false, forceRowSecurity: true);
        table.Columns.Add(new ColumnInfo(1, "body", "text", false, null, null, null, -1, TypeOid: 0) { Compression = "lz4" });

        var ddl = Create(table, Context());

        ddl.Should().Be(
            "CREATE TABLE public.docs (\n" +
            "    body text\n" +
            ");\n" +
            "ALTER TABLE ONLY public.docs ALTER COLUMN body SET COMPRESSION lz4;\n" +
            "ALTER TABLE ONLY public.docs FORCE ROW LEVEL SECURITY;\n");
    }

    [Fact]
    public void Row_security_entry_only_enables_FORCE_belongs_to_the_table()
    {
        var table = new TableObject(16507, "public", "docs", Owner, unlogged: false, options: null, replicaIdentity: 'd', rowSecurity: true, forceRowSecurity: true);

        Create(new RowSecurityObject(table), Context()).Should().Be("ALTER TABLE public.docs ENABLE ROW LEVEL SECURITY;\n");
    }

    [Fact]
    public void Typed_table_DDL_names_its_type_and_lists_only_columns_with_options()
    {
        var typed = new TableObject(16508, "public", "readings", Owner, false, null, 'd', false, false) { OfType = "public.reading" };
        typed.Columns.Add(new ColumnInfo(1, "sensor", "integer", true, null, null, null, -1, TypeOid: 0));
        typed.Columns.Add(new ColumnInfo(2, "value", "numeric", false, null, null, null, 50, TypeOid: 0));
        typed.Checks.Add(new InlineCheck(16512, "readings_value_check", "CHECK ((value >= (0)::numeric))"));
        var bare = new TableObject(16509, "public", "addresses", Owner, false, null, 'd', false, false) { OfType = "public.address" };
        bare.Columns.Add(new ColumnInfo(1, "street", "text", false, null, null, null, -1, TypeOid: 0));

        Create(typed, Context()).Should().Be(
            "CREATE TABLE public.readings OF public.reading (\n" +
            "    sensor WITH OPTIONS NOT NULL,\n" +
            "    CONSTRAINT readings_value_check CHECK ((value >= (0)::numeric))\n" +
            ");\n" +
            "ALTER TABLE ONLY public.readings ALTER COLUMN value SET STATISTICS 50;\n");
        Create(bare, Context()).Should().Be("CREATE TABLE public.addresses OF public.address;\n");
    }

    [Fact]
    public void Materialized_view_DDL_writes_column_statistics_storage_compression_and_options()
    {
        var view = new MaterializedViewObject(16540, "public", "sizes", Owner, null, " SELECT 1 AS n;", populated: true);
        view.Columns.Add(new ColumnInfo(1, "n", "integer", false, null, null, "MAIN", 300, TypeOid: 0) { Options = "n_distinct='-1'", Compression = "pglz" });

        Create(view, Context()).Should().Be(
            "CREATE MATERIALIZED VIEW public.sizes AS\n" +
            " SELECT 1 AS n\n" +
            "  WITH NO DATA;\n" +
            "ALTER MATERIALIZED VIEW public.sizes ALTER COLUMN n SET STORAGE MAIN;\n" +
            "ALTER MATERIALIZED VIEW public.sizes ALTER COLUMN n SET COMPRESSION pglz;\n" +
            "ALTER MATERIALIZED VIEW public.sizes ALTER COLUMN n SET STATISTICS 300;\n" +
            "ALTER MATERIALIZED VIEW public.sizes ALTER COLUMN n SET (n_distinct='-1');\n");
    }

    [Fact]
    public void Table_DDL_with_a_column_named_begin_splits_into_its_statements()
    {
        var table = Orders();
        table.Columns.Add(Column(1, "begin", "timestamp with time zone"));
        table.Columns.Add(Column(2, "end", "timestamp with time zone"));
        var context = Context(new() { [(CatalogClasses.Class, 16500, 1)] = "shift start" });

        var ddl = Create(table, context);

        ddl.Should().Contain("    begin timestamp with time zone,\n    \"end\" timestamp");
        SqlStatementSplitter.Split(ddl).Should().HaveCount(2);
    }

    [Fact]
    public void Domain_DDL_leaves_a_NOT_VALID_constraint_to_its_own_entry_after_the_data()
    {
        var notValid = new DomainConstraint(16522, "qty_small", "CHECK ((VALUE < 1000)) NOT VALID", Validated: false);
        var domain = new DomainObject(
            16520, "public", "qty", Owner, "integer", collation: null, defaultExpression: "1", notNull: true,
            [
                new DomainConstraint(16521, "qty_check", "CHECK ((VALUE >= 0))", Validated: true),
                notValid,
            ]);
        var context = Context(new() { [(CatalogClasses.Constraint, 16522, 0)] = "to be validated" });

        var ddl = Create(domain, context);
        var constraint = new DomainConstraintObject(domain, notValid);

        ddl.Should().Be(
            "CREATE DOMAIN public.qty AS integer DEFAULT 1 NOT NULL\n" +
            "\tCONSTRAINT qty_check CHECK ((VALUE >= 0));\n");
        Create(constraint, context).Should().Be(
            "ALTER DOMAIN public.qty\n    ADD CONSTRAINT qty_small CHECK ((VALUE < 1000)) NOT VALID;\n" +
            "\nCOMMENT ON CONSTRAINT qty_small ON DOMAIN public.qty IS 'to be validated';\n");
        constraint.Section.Should().Be(Section.PostData, "rows loaded after a NOT VALID constraint would be checked against it");
        domain.Kind.Should().Be(ObjectKind.Domain);
    }

    [Fact]
    public void Enum_DDL_quotes_labels_as_literals()
    {
        var type = new EnumTypeObject(16530, "public", "Mood", Owner, ["happy", "it's ok", "sad;"]);

        Create(type, Context()).Should().Be("CREATE TYPE public.\"Mood\" AS ENUM (\n    'happy',\n    'it''s ok',\n    'sad;'\n);\n");
    }

    [Fact]
    public void Policy_DDL_without_roles_applies_to_PUBLIC()
    {
        var policy = new PolicyObject(16540, Orders(), "own_rows", '*', permissive: true, roles: null, usingExpression: "(owner_name = CURRENT_USER)", checkExpression: null);

        Create(policy, Context()).Should().Be("CREATE POLICY own_rows ON public.orders AS PERMISSIVE FOR ALL TO PUBLIC USING ((owner_name = CURRENT_USER));\n");
        policy.RequiredRoles().Should().BeEmpty();
    }

    [Fact]
    public void Policy_DDL_lists_quoted_roles_and_both_expressions()
    {
        var policy = new PolicyObject(16541, Orders(), "Restrict", 'w', permissive: false, roles: ["clerk", "Manager", "user"], usingExpression: "true", checkExpression: "(qty > 0)");

        Create(policy, Context()).Should().Be("CREATE POLICY \"Restrict\" ON public.orders AS RESTRICTIVE FOR UPDATE TO clerk, \"Manager\", \"user\" USING (true) WITH CHECK ((qty > 0));\n");
        policy.RequiredRoles().Should().Equal("clerk", "Manager", "user");
    }

    [Theory]
    [InlineData('r', "SELECT")]
    [InlineData('a', "INSERT")]
    [InlineData('w', "UPDATE")]
    [InlineData('d', "DELETE")]
    [InlineData('*', "ALL")]
    public void Policy_DDL_names_its_command(char command, string expected)
    {
        var policy = new PolicyObject(16542, Orders(), "p", command, true, null, null, null);

        Create(policy, Context()).Should().Be($"CREATE POLICY p ON public.orders AS PERMISSIVE FOR {expected} TO PUBLIC;\n");
    }

    [Fact]
    public void Acl_DDL_revokes_what_left_the_defaults_then_groups_grants()
    {
        var table = Orders();
        var acl = new AclObject(table, "TABLE", "public.orders",
            new AclChanges(
                [new AclItem(Owner, Owner, "DELETE", false), new AclItem(Owner, Owner, "TRUNCATE", false)],
                [
                    new AclItem(Owner, "reader", "SELECT", false),
                    new AclItem(Owner, "reader", "INSERT", false),
                    new AclItem(Owner, null, "SELECT", false),
                    new AclItem(Owner, "auditor", "SELECT", true),
                ]),
            []);

        Create(acl, Context()).Should().Be(
            "REVOKE DELETE,TRUNCATE ON TABLE public.orders FROM app_owner;\n" +
            "GRANT SELECT,INSERT ON TABLE public.orders TO reader;\n" +
            "GRANT SELECT ON TABLE public.orders TO PUBLIC;\n" +
            "GRANT SELECT ON TABLE public.orders TO auditor WITH GRANT OPTION;\n");
    }

    [Fact]
    public void Acl_DDL_grants_as_the_grantor_when_it_is_not_the_owner()
    {
        var table = Orders();
        var acl = new AclObject(table, "TABLE", "public.orders",
            new AclChanges([],
            [
                new AclItem(Owner, "Manager", "SELECT", true),
                new AclItem("Manager", "clerk", "SELECT", false),
            ]),
            [new ColumnAcl("qty", [new AclItem("Manager", "user", "UPDATE", false)])]);

        Create(acl, Context()).Should().Be(
            "GRANT SELECT ON TABLE public.orders TO \"Manager\" WITH GRANT OPTION;\n" +
            "SET SESSION AUTHORIZATION \"Manager\";\n" +
            "GRANT SELECT ON TABLE public.orders TO clerk;\n" +
            "RESET SESSION AUTHORIZATION;\n" +
            "SET SESSION AUTHORIZATION \"Manager\";\n" +
            "GRANT UPDATE(qty) ON TABLE public.orders TO \"user\";\n" +
            "RESET SESSION AUTHORIZATION;\n");
        acl.RequiredRoles().Should().BeEquivalentTo([Owner, Owner, "Manager", "Manager", "clerk", "Manager", "user"]);
    }

    [Fact]
    public void Acl_DDL_with_only_column_privileges_revokes_nothing()
    {
        var acl = new AclObject(Orders(), "TABLE", "public.orders", null, [new ColumnAcl("id", [new AclItem(Owner, "reader", "SELECT", false), new AclItem(Owner, "reader", "UPDATE", false)])]);

        Create(acl, Context()).Should().Be("GRANT SELECT(id),UPDATE(id) ON TABLE public.orders TO reader;\n");
    }

    [Fact]
    public void Acl_entries_follow_their_target_section_and_run_in_the_acl_pass()
    {
        var table = Orders();
        var tableAcl = new AclObject(table, "TABLE", "public.orders", new AclChanges([], []), []);
        var index = new IndexObject(16550, table, "orders_idx", "CREATE INDEX orders_idx ON public.orders USING btree (id)", false);
        var indexAcl = new AclObject(index, "INDEX", "public.orders_idx", new AclChanges([], []), []);

        tableAcl.Section.Should().Be(Section.PreData);
        indexAcl.Section.Should().Be(Section.PostData);
        tableAcl.Pass.Should().Be(RestorePass.Acl);
        tableAcl.Owner.Should().Be(Owner);
    }

    [Fact]
    public void Default_acl_DDL_for_a_role_writes_its_differences_from_the_builtin_defaults()
    {
        var defaults = new DefaultAclObject(16560, Owner, null, 'f', new AclChanges([new AclItem(Owner, null, "EXECUTE", false)], [new AclItem(Owner, "runner", "EXECUTE", false)]));

        Create(defaults, Context()).Should().Be(
            "ALTER DEFAULT PRIVILEGES FOR ROLE app_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;\n" +
            "ALTER DEFAULT PRIVILEGES FOR ROLE app_owner GRANT EXECUTE ON FUNCTIONS TO runner;\n");
        defaults.Pass.Should().Be(RestorePass.PostAcl);
    }

    [Fact]
    public void Default_acl_DDL_in_a_schema_only_adds_grants()
    {
        var defaults = new DefaultAclObject(16561, Owner, "Sales", 'r', new AclChanges([], [new AclItem(Owner, "reader", "SELECT", false), new AclItem(Owner, null, "INSERT", true)]));

        Create(defaults, Context()).Should().Be(
            "ALTER DEFAULT PRIVILEGES FOR ROLE app_owner IN SCHEMA \"Sales\" GRANT SELECT ON TABLES TO reader;\n" +
            "ALTER DEFAULT PRIVILEGES FOR ROLE app_owner IN SCHEMA \"Sales\" GRANT INSERT ON TABLES TO PUBLIC WITH GRANT OPTION;\n");
        defaults.Name.Should().Be("DEFAULT PRIVILEGES FOR TABLES");
    }

    [Theory]
    [InlineData('r', "TABLES")]
    [InlineData('S', "SEQUENCES")]
    [InlineData('f', "FUNCTIONS")]
    [InlineData('T', "TYPES")]
    [InlineData('n', "SCHEMAS")]
    public void Default_acl_object_types_have_their_sql_names(char objectType, string expected)
    {
        DefaultAclObject.ObjectTypeName(objectType).Should().Be(expected);
    }

    [Fact]
    public void Default_acl_of_an_unknown_object_type_is_unsupported()
    {
        var act = () => new DefaultAclObject(16562, Owner, null, 'L', new AclChanges([], []));

        act.Should().Throw<UnsupportedObjectException>().WithMessage("*'L'*");
    }

    [Fact]
    public void Public_schema_DDL_sets_its_comment_instead_of_creating_it()
    {
        var schema = new SchemaObject(2200, "public", "pg_database_owner");

        Create(schema, Context()).Should().Be("COMMENT ON SCHEMA public IS NULL;\n");
        Create(schema, Context(new() { [(CatalogClasses.Namespace, 2200, 0)] = "standard public schema" }))
            .Should().Be("COMMENT ON SCHEMA public IS 'standard public schema';\n");
    }

    [Fact]
    public void Function_DDL_appends_a_semicolon_to_the_definition()
    {
        var definition = "CREATE OR REPLACE FUNCTION public.f(a integer)\n RETURNS integer\n LANGUAGE sql\nBEGIN ATOMIC\n SELECT (a + 1);\nEND\n";
        var function = new FunctionObject(16570, "public", "f", Owner, "a integer", false, definition);
        var context = Context(new() { [(CatalogClasses.Proc, 16570, 0)] = "adds; one" });

        var ddl = Create(function, context);

        ddl.Should().Be(definition.TrimEnd() + ";\n\nCOMMENT ON FUNCTION public.f(a integer) IS 'adds; one';\n");
        SqlStatementSplitter.Split(ddl).Should().HaveCount(2);
    }

    private static string Write(Action<TextWriter> write)
    {
        using var writer = new StringWriter { NewLine = "\n" };
        write(writer);
        return writer.ToString();
    }

    [Fact]
    public void Foreign_data_wrapper_DDL_writes_handler_validator_options_comment_owner_and_drop()
    {
        var wrapper = new ForeignDataWrapperObject(16800, "Remote", Owner, "extensions.remote_handler", "extensions.remote_validator", "mode 'read only',\n    \"user\" 'it''s'");
        var context = Context(new() { [(CatalogClasses.ForeignDataWrapper, 16800, 0)] = "remote data" });

        Create(wrapper, context).Should().Be(
            "CREATE FOREIGN DATA WRAPPER \"Remote\" HANDLER extensions.remote_handler VALIDATOR extensions.remote_validator OPTIONS (\n" +
            "    mode 'read only',\n    \"user\" 'it''s'\n);\n" +
            "\nCOMMENT ON FOREIGN DATA WRAPPER \"Remote\" IS 'remote data';\n");
        Create(new ForeignDataWrapperObject(16801, "plain_fdw", Owner, null, null, null), Context()).Should().Be("CREATE FOREIGN DATA WRAPPER plain_fdw;\n");
        Write(writer => wrapper.WriteOwner(writer, context)).Should().Be("ALTER FOREIGN DATA WRAPPER \"Remote\" OWNER TO app_owner;\n");
        Write(writer => wrapper.WriteDrop(writer, context, ifExists: true)).Should().Be("DROP FOREIGN DATA WRAPPER IF EXISTS \"Remote\";\n");
        wrapper.Kind.TocName().Should().Be("FOREIGN DATA WRAPPER");
    }

    [Fact]
    public void Foreign_server_DDL_writes_type_version_wrapper_and_options()
    {
        var server = new ForeignServerObject(16810, "remote_pg", Owner, "postgres_fdw", "postgres", "15", "host 'db.example',\n    port '5433'");
        var context = Context(new() { [(CatalogClasses.ForeignServer, 16810, 0)] = "the remote" });

        Create(server, context).Should().Be(
            "CREATE SERVER remote_pg TYPE 'postgres' VERSION '15' FOREIGN DATA WRAPPER postgres_fdw OPTIONS (\n" +
            "    host 'db.example',\n    port '5433'\n);\n" +
            "\nCOMMENT ON SERVER remote_pg IS 'the remote';\n");
        Write(writer => server.WriteOwner(writer, context)).Should().Be("ALTER SERVER remote_pg OWNER TO app_owner;\n");
        Write(writer => server.WriteDrop(writer, context, ifExists: false)).Should().Be("DROP SERVER remote_pg;\n");
        server.Kind.TocName().Should().Be("SERVER");
    }

    [Fact]
    public void User_mapping_DDL_names_the_role_or_PUBLIC_and_follows_its_server()
    {
        var server = new ForeignServerObject(16810, "remote_pg", Owner, "postgres_fdw", null, null, null);
        var forRole = new UserMappingObject(16820, server, "user", "\"user\" 'remote', password 'secret'");
        var forPublic = new UserMappingObject(16821, server, null, null);

        Create(forRole, Context()).Should().Be("CREATE USER MAPPING FOR \"user\" SERVER remote_pg OPTIONS (\n    \"user\" 'remote', password 'secret'\n);\n");
        Create(forPublic, Context()).Should().Be("CREATE USER MAPPING FOR PUBLIC SERVER remote_pg;\n");
        Write(writer => forRole.WriteDrop(writer, Context(), ifExists: true)).Should().Be("DROP USER MAPPING IF EXISTS FOR \"user\" SERVER remote_pg;\n");
        Write(writer => forPublic.WriteDrop(writer, Context(), ifExists: false)).Should().Be("DROP USER MAPPING FOR PUBLIC SERVER remote_pg;\n");
        // pg_dump's tag and owner: "USER MAPPING role SERVER server", owned by the server's owner.
        forRole.Name.Should().Be("USER MAPPING user SERVER remote_pg");
        forPublic.Name.Should().Be("USER MAPPING public SERVER remote_pg");
        forRole.Owner.Should().Be(Owner);
        forRole.Parent.Should().BeSameAs(server);
        forRole.RequiredRoles().Should().Equal(Owner, "user");
        forRole.Kind.TocName().Should().Be("USER MAPPING");
    }

    [Fact]
    public void Foreign_table_DDL_writes_server_options_and_column_options_and_never_has_data()
    {
        var table = new TableObject(16830, "public", "orders", Owner, unlogged: false, options: null, replicaIdentity: 'n', rowSecurity: false, forceRowSecurity: false)
        {
            Foreign = new ForeignTableInfo("remote_pg", "table_name 'orders'"),
        };
        table.Columns.Add(Column(1, "id", "integer", notNull: true) with { ForeignOptions = "column_name 'order_id'" });
        table.Columns.Add(Column(2, "note", "text") with { StatisticsTarget = 50 });
        table.Checks.Add(new InlineCheck(16831, "id_positive", "CHECK ((id > 0))"));
        var context = Context(new() { [(CatalogClasses.Class, 16830, 0)] = "remote orders" });

        Create(table, context).Should().Be(
            "CREATE FOREIGN TABLE public.orders (\n" +
            "    id integer NOT NULL,\n" +
            "    note text,\n" +
            "    CONSTRAINT id_positive CHECK ((id > 0))\n" +
            ")\nSERVER remote_pg\nOPTIONS (\n    table_name 'orders'\n);\n" +
            "ALTER FOREIGN TABLE ONLY public.orders ALTER COLUMN id OPTIONS (\n    column_name 'order_id'\n);\n" +
            "ALTER FOREIGN TABLE ONLY public.orders ALTER COLUMN note SET STATISTICS 50;\n" +
            "\nCOMMENT ON FOREIGN TABLE public.orders IS 'remote orders';\n");
        Write(writer => table.WriteOwner(writer, context)).Should().Be("ALTER FOREIGN TABLE public.orders OWNER TO app_owner;\n");
        Write(writer => table.WriteDrop(writer, context, ifExists: true)).Should().Be("DROP FOREIGN TABLE IF EXISTS public.orders;\n");
        table.Kind.Should().Be(ObjectKind.ForeignTable);
        table.Kind.TocName().Should().Be("FOREIGN TABLE");
        table.Kind.IsRelation().Should().BeTrue("a selection by table name picks foreign tables, as pg_dump -t does");
        table.HasData.Should().BeFalse("pg_dump never dumps a foreign table's rows");
    }

    [Fact]
    public void Foreign_data_sorts_as_pg_dump_does_wrappers_then_servers_and_mappings_then_tables()
    {
        var wrapper = new ForeignDataWrapperObject(16800, "w", Owner, null, null, null);
        var server = new ForeignServerObject(16810, "s", Owner, "w", null, null, null);
        var mapping = new UserMappingObject(16820, server, null, null);

        wrapper.Priority.Should().BeGreaterThan(Priorities.TextSearchConfiguration).And.BeLessThan(server.Priority);
        mapping.Priority.Should().Be(server.Priority);
        server.Priority.Should().BeLessThan(Priorities.Table);
        new[] { wrapper.Section, server.Section, mapping.Section }.Should().AllBeEquivalentTo(Section.PreData);
    }


    [Fact]
    public void Base_type_DDL_writes_every_property_as_pg_dump_does_and_drops_with_cascade()
    {
        var definition = new BaseTypeDefinition("public.my_in", "public.my_out", "public.my_recv", "public.my_send", "public.my_typmod_in", "public.my_typmod_out",
            "public.my_analyze", "raw_array_subscript_handler", 16, PassedByValue: false, 'd', 'm', 'N', Preferred: true, Default: "it's", Element: "double precision",
            ";", Collatable: true);
        var type = new BaseTypeObject(16800, "public", "user", Owner, definition);

        Create(type, Context(new() { [(CatalogClasses.Type, 16800, 0)] = "a type" })).Should().Be(
            "CREATE TYPE public.\"user\" (\n" +
            "    INTERNALLENGTH = 16,\n" +
            "    INPUT = public.my_in,\n" +
            "    OUTPUT = public.my_out,\n" +
            "    RECEIVE = public.my_recv,\n" +
            "    SEND = public.my_send,\n" +
            "    TYPMOD_IN = public.my_typmod_in,\n" +
            "    TYPMOD_OUT = public.my_typmod_out,\n" +
            "    ANALYZE = public.my_analyze,\n" +
            "    SUBSCRIPT = raw_array_subscript_handler,\n" +
            "    COLLATABLE = true,\n" +
            "    DEFAULT = 'it''s',\n" +
            "    ELEMENT = double precision,\n" +
            "    CATEGORY = 'N',\n" +
            "    PREFERRED = true,\n" +
            "    DELIMITER = ';',\n" +
            "    ALIGNMENT = double,\n" +
            "    STORAGE = main\n" +
            ");\n" +
            "\nCOMMENT ON TYPE public.\"user\" IS 'a type';\n");
        Create(new ShellTypeObject(type), Context()).Should().Be("CREATE TYPE public.\"user\";\n");
        using var drop = new StringWriter { NewLine = "\n" };
        type.WriteDrop(drop, Context(), ifExists: true);
        drop.ToString().Should().Be("DROP TYPE IF EXISTS public.\"user\" CASCADE;\n");
    }

    [Fact]
    public void A_subscription_is_created_without_connecting_and_writes_only_options_that_differ_from_the_defaults()
    {
        var plain = new SubscriptionObject(16803, "plain", Owner, new SubscriptionDefinition(
            "host=127.0.0.1 dbname='it\\'s'", ["p"], null, Binary: false, null, TwoPhase: false, DisableOnError: false, null, null,
            PasswordRequired: true, RunAsOwner: false, Failover: false));
        Create(plain, Context()).Should().Be(
            "CREATE SUBSCRIPTION plain CONNECTION 'host=127.0.0.1 dbname=''it\\''s''' PUBLICATION p WITH (connect = false, slot_name = NONE);\n");
        var options = new SubscriptionObject(16804, "Sub", Owner, new SubscriptionDefinition(
            "host=x", ["p", "Other Pub"], "my_slot", Binary: true, "on", TwoPhase: true, DisableOnError: true, "remote_apply", "none",
            PasswordRequired: true, RunAsOwner: false, Failover: false));
        Create(options, Context()).Should().Be(
            "CREATE SUBSCRIPTION \"Sub\" CONNECTION 'host=x' PUBLICATION p, \"Other Pub\" WITH (connect = false, slot_name = 'my_slot', binary = true, " +
            "streaming = on, two_phase = on, disable_on_error = true, origin = none, synchronous_commit = remote_apply);\n");
        using var owner = new StringWriter { NewLine = "\n" };
        options.WriteOwner(owner, Context());
        owner.ToString().Should().Be($"ALTER SUBSCRIPTION \"Sub\" OWNER TO {Owner};\n");
        using var drop = new StringWriter { NewLine = "\n" };
        options.WriteDrop(drop, Context(), ifExists: true);
        drop.ToString().Should().Be("DROP SUBSCRIPTION IF EXISTS \"Sub\";\n");
    }

    [Fact]
    public void A_standalone_shell_type_is_a_bare_create_type_with_its_owner()
    {
        var type = new UndefinedTypeObject(16802, "public", "Later", Owner);
        Create(type, Context()).Should().Be("CREATE TYPE public.\"Later\";\n");
        using var owner = new StringWriter { NewLine = "\n" };
        type.WriteOwner(owner, Context());
        owner.ToString().Should().Be($"ALTER TYPE public.\"Later\" OWNER TO {Owner};\n");
    }

    [Fact]
    public void Minimal_base_type_DDL_writes_defaults_pg_dump_always_writes()
    {
        var definition = new BaseTypeDefinition("public.my_in", "public.my_out", null, null, null, null, null, null, -1, PassedByValue: true, 'i', 'x', 'U',
            Preferred: false, Default: null, Element: null, ",", Collatable: false);

        Create(new BaseTypeObject(16801, "public", "t", Owner, definition), Context()).Should().Be(
            "CREATE TYPE public.t (\n    INTERNALLENGTH = variable,\n    INPUT = public.my_in,\n    OUTPUT = public.my_out,\n" +
            "    ALIGNMENT = int4,\n    STORAGE = extended,\n    PASSEDBYVALUE\n);\n");
    }

    [Fact]
    public void Language_transform_access_method_and_conversion_DDL()
    {
        var context = Context(new()
        {
            [(CatalogClasses.Language, 16802, 0)] = "mine",
            [(CatalogClasses.Transform, 16803, 0)] = "both ways",
            [(CatalogClasses.AccessMethod, 16804, 0)] = "btree again",
            [(CatalogClasses.Conversion, 16805, 0)] = "as built in",
        });

        Create(new ProceduralLanguageObject(16802, "My Lang", Owner, trusted: true, "langs.handler", "langs.inline", "langs.validator"), context).Should().Be(
            "CREATE TRUSTED PROCEDURAL LANGUAGE \"My Lang\" HANDLER langs.handler INLINE langs.inline VALIDATOR langs.validator;\n" +
            "\nCOMMENT ON LANGUAGE \"My Lang\" IS 'mine';\n");
        Create(new ProceduralLanguageObject(16806, "plain", Owner, trusted: false, "langs.handler", null, null), context).Should().Be(
            "CREATE PROCEDURAL LANGUAGE plain HANDLER langs.handler;\n");
        Create(new ProceduralLanguageObject(16812, "plperl", Owner, trusted: true, null, null, null), context).Should().Be(
            "CREATE OR REPLACE PROCEDURAL LANGUAGE plperl;\n");
        Create(new TransformObject(16803, "public.mood", "My Lang", "public.from_sql(internal)", "public.to_sql(internal)"), context).Should().Be(
            "CREATE TRANSFORM FOR public.mood LANGUAGE \"My Lang\" (FROM SQL WITH FUNCTION public.from_sql(internal), TO SQL WITH FUNCTION public.to_sql(internal));\n" +
            "\nCOMMENT ON TRANSFORM FOR public.mood LANGUAGE \"My Lang\" IS 'both ways';\n");
        Create(new TransformObject(16807, "public.mood", "plain", null, "public.to_sql(internal)"), context).Should().Be(
            "CREATE TRANSFORM FOR public.mood LANGUAGE plain (TO SQL WITH FUNCTION public.to_sql(internal));\n");
        Create(new AccessMethodObject(16804, "my_btree", 'i', "bthandler"), context).Should().Be(
            "CREATE ACCESS METHOD my_btree TYPE INDEX HANDLER bthandler;\n\nCOMMENT ON ACCESS METHOD my_btree IS 'btree again';\n");
        Create(new AccessMethodObject(16808, "my_heap", 't', "heap_tableam_handler"), context).Should().Be(
            "CREATE ACCESS METHOD my_heap TYPE TABLE HANDLER heap_tableam_handler;\n");
        Create(new ConversionObject(16805, "public", "Latin", Owner, isDefault: true, "UTF8", "LATIN1", "utf8_to_iso8859_1"), context).Should().Be(
            "CREATE DEFAULT CONVERSION public.\"Latin\" FOR 'UTF8' TO 'LATIN1' FROM utf8_to_iso8859_1;\n" +
            "\nCOMMENT ON CONVERSION public.\"Latin\" IS 'as built in';\n");
    }

    [Fact]
    public void Table_and_materialized_view_DDL_name_a_table_access_method_other_than_heap()
    {
        var table = new TableObject(16809, "public", "t", Owner, false, "fillfactor='70'", 'd', false, false) { AccessMethod = "my_heap" };
        table.Columns.Add(Column(1, "id", "integer"));
        var view = new MaterializedViewObject(16810, "public", "mv", Owner, null, " SELECT 1 AS one;", true) { AccessMethod = "my_heap" };

        Create(table, Context()).Should().Be("CREATE TABLE public.t (\n    id integer\n)\nUSING my_heap\nWITH (fillfactor='70');\n");
        Create(view, Context()).Should().Be("CREATE MATERIALIZED VIEW public.mv USING my_heap AS\n SELECT 1 AS one\n  WITH NO DATA;\n");
    }

    [Fact]
    public void A_range_type_behind_a_shell_drops_with_cascade()
    {
        var range = new RangeTypeObject(16811, "public", "myrange", Owner, new RangeDefinition("integer", null, null, "public.myrange_canonical", null, null));
        range.Shell = new ShellTypeObject(range);

        using var drop = new StringWriter { NewLine = "\n" };
        range.WriteDrop(drop, Context(), ifExists: false);

        drop.ToString().Should().Be("DROP TYPE public.myrange CASCADE;\n");
        Create(range.Shell, Context()).Should().Be("CREATE TYPE public.myrange;\n");
    }
}
