using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using FactoryPulse.Dump.Model;
using FactoryPulse.Dump.Sql;

namespace FactoryPulse.Dump.Tests;

/// <summary>
/// Every DDL writer ends each statement it writes (<see cref="StatementEnds.EndStatement"/>), so the archive can carry
/// statements as a list. The lexer (<see cref="SqlStatementSplitter"/>) is the judge here: the ends the writers mark must
/// be exactly where it splits, and the text must not change.
/// </summary>
public sealed class StatementBoundaryTests
{
    private const string Owner = "app_owner";

    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal) { "user", "order", "select", "table", "end", "begin" };

    // Semicolons, newlines, quotes, a backslash and dollar signs: nothing in a comment may look like the end of a statement.
    private const string TrickyComment = "it's; done;\nEND; $$ -- not a comment $q$ \\ ;\n";

    /// <summary>Checks that the ends written for one writer call agree with its text and with the lexer.</summary>
    internal static void AssertStatementsMatchLexer(Action<TextWriter> write, string because = "")
    {
        using var plain = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        write(plain);
        var text = plain.ToString();

        using var writer = new StatementWriter();
        write(writer);
        var statements = writer.Statements();

        writer.ToString().Should().Be(text, "ending statements must not change the text {0}", because);
        string.Concat(statements).Should().Be(text, "the statements together are the whole text {0}", because);
        statements.Should().NotContain(statement => string.IsNullOrWhiteSpace(statement), "no statement is empty {0}", because);
        var trimmed = new List<string>(statements.Count);
        foreach (var statement in statements)
            trimmed.Add(statement.Trim());
        trimmed.Should().Equal(SqlStatementSplitter.Split(text), "the writer ends statements where the lexer does {0}", because);
    }

    private static DdlContext Plain() => new(Keywords, new Dictionary<(uint ClassId, uint ObjectId, int SubId), string>());

    private static DdlContext Commented() => new(Keywords, new EveryObjectCommented());

    /// <summary>A comment on every object and column, so every COMMENT ON site is written.</summary>
    private sealed class EveryObjectCommented : IReadOnlyDictionary<(uint ClassId, uint ObjectId, int SubId), string>
    {
        public string this[(uint ClassId, uint ObjectId, int SubId) key] => TrickyComment;

        public IEnumerable<(uint ClassId, uint ObjectId, int SubId)> Keys => [];

        public IEnumerable<string> Values => [];

        public int Count => 0;

        public bool ContainsKey((uint ClassId, uint ObjectId, int SubId) key) => true;

        public bool TryGetValue((uint ClassId, uint ObjectId, int SubId) key, [MaybeNullWhen(false)] out string value)
        {
            value = TrickyComment;
            return true;
        }

        public IEnumerator<KeyValuePair<(uint ClassId, uint ObjectId, int SubId), string>> GetEnumerator() =>
            Enumerable.Empty<KeyValuePair<(uint ClassId, uint ObjectId, int SubId), string>>().GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private static ColumnInfo Column(int number, string name, string type, bool notNull = false, string? generated = null) =>
        new(number, name, type, notNull, generated, Collation: null, Storage: null, StatisticsTarget: -1, TypeOid: 0);

    private static TableObject Orders()
    {
        var table = new TableObject(16500, "public", "orders", Owner, unlogged: false, options: null, replicaIdentity: 'd', rowSecurity: true, forceRowSecurity: true);
        table.Columns.Add(Column(1, "id", "bigint", notNull: true));
        table.Columns.Add(Column(2, "Qty", "integer"));
        table.Columns.Add(Column(3, "user", "text"));
        table.Columns.Add(Column(4, "total", "numeric", generated: "(\"Qty\" * 2)"));
        table.Columns.Add(Column(5, "note", "text"));
        table.Checks.Add(new InlineCheck(16510, "note_no_semicolon", "CHECK ((note <> ';'::text))"));
        return table;
    }

    private static TableObject Partitioned() =>
        new(16600, "public", "events", Owner, false, null, 'd', false, false) { PartitionKey = "RANGE (at)" };

    private static TableObject Partition()
    {
        var partition = new TableObject(16601, "public", "events_2026", Owner, false, null, 'd', false, false) { IsPartition = true };
        partition.Columns.Add(Column(1, "at", "timestamp with time zone", notNull: true));
        return partition;
    }

    private static SequenceObject Sequence(bool unlogged = false) =>
        new(16520, "public", "orders_id_seq", Owner, unlogged, new SequenceOptions("bigint", 1, 1, 1, long.MaxValue, 1, Cycle: false));

    private static ViewObject View() =>
        new(16530, "public", "order_notes", Owner, "security_barrier='true'", " SELECT id,\n    ';' AS semi,\n    'a;\n' AS text\n   FROM public.orders;");

    private static MaterializedViewObject MaterializedView() =>
        new(16531, "public", "order_totals", Owner, null, " SELECT sum(total) AS total\n   FROM public.orders\n  WHERE (note <> ';'::text);", populated: true);

    private static FunctionObject Function(string name, string definition, bool isProcedure = false) =>
        new(16540, "public", name, Owner, "", isProcedure, definition) { SecurityDefiner = true };

    private static DomainObject Domain() =>
        new(16550, "public", "qty", Owner, "integer", collation: null, defaultExpression: "1", notNull: true,
        [
            new DomainConstraint(16551, "qty_check", "CHECK ((VALUE >= 0))", Validated: true),
            new DomainConstraint(16552, "qty_small", "CHECK ((VALUE < 1000)) NOT VALID", Validated: false),
        ]);

    private static PublicationObject Publication(bool allTables = false) =>
        new(16560, "orders_pub", Owner, allTables, "insert, update", viaRoot: true);

    private static ConstraintObject PrimaryKey(RelationObject table) =>
        new(16570, table, "orders_pkey", 'p', "PRIMARY KEY (id)")
        {
            IndexDefinition = $"CREATE UNIQUE INDEX orders_pkey ON {table.Schema}.{table.Name} USING btree (id)",
            IndexName = "orders_pkey",
            IndexMethod = "btree",
            Deferrable = true,
            InitiallyDeferred = true,
            Clustered = true,
            ReplicaIdentity = true,
        };

    private static AggregateDefinition Aggregate(string? movingTransition) => new(
        "numeric", 'n', "public.acc", "numeric[]", 16, "public.acc_final", true, 'r', "public.acc_combine", null, null,
        movingTransition, movingTransition is null ? null : "public.acc_inverse", movingTransition is null ? null : "numeric[]", 0,
        movingTransition is null ? null : "public.acc_final", false, 'r', "{0;0}", movingTransition is null ? null : "{0;\n0}", null, 's');

    private static BaseTypeObject BaseType() => new(16797, "public", "my;int", Owner, new BaseTypeDefinition(
        "public.my_in", "public.my_out", "public.my_recv", "public.my_send", "public.my_typmod_in", "public.my_typmod_out", "public.my_analyze",
        "raw_array_subscript_handler", 16, PassedByValue: false, 'd', 'p', 'N', Preferred: true, Default: "0;\n", Element: "double precision", ";", Collatable: true));

    // Each case builds one object; together they cover every kind of dumped object and the branches of its writers.
    private static readonly Dictionary<string, Func<DumpableObject>> Cases = new()
    {
        ["table"] = Orders,
        ["table unlogged with storage, statistics, options and replica identity full"] = () =>
        {
            var table = new TableObject(16501, "Sales", "t", Owner, unlogged: true, options: "fillfactor='70'", replicaIdentity: 'f', rowSecurity: false, forceRowSecurity: false);
            table.Columns.Add(new ColumnInfo(1, "doc", "text", false, null, "pg_catalog.\"C\"", "EXTERNAL", 500, TypeOid: 0) { Options = "n_distinct='-1'" });
            return table;
        },
        ["table with replica identity nothing and columns named begin and end"] = () =>
        {
            var table = new TableObject(16502, "public", "shifts", Owner, false, null, 'n', false, false);
            table.Columns.Add(Column(1, "begin", "timestamp with time zone"));
            table.Columns.Add(Column(2, "end", "timestamp with time zone"));
            return table;
        },
        ["table without columns"] = () => new TableObject(16503, "public", "empty", Owner, false, null, 'd', false, false),
        ["table with compression and FORCE ROW LEVEL SECURITY without ENABLE"] = () =>
        {
            var table = new TableObject(16507, "public", "docs", Owner, false, null, 'd', rowSecurity: false, forceRowSecurity: true);
            table.Columns.Add(Column(1, "body", "text") with { Compression = "lz4" });
            return table;
        },
        ["typed table with column options and a check"] = () =>
        {
            var table = new TableObject(16508, "public", "readings", Owner, false, null, 'd', false, false) { OfType = "public.reading" };
            table.Columns.Add(Column(1, "sensor", "integer", notNull: true));
            table.Columns.Add(Column(2, "value", "numeric"));
            table.Checks.Add(new InlineCheck(16512, "readings_value_check", "CHECK ((value >= (0)::numeric))"));
            return table;
        },
        ["typed table without column options"] = () => new TableObject(16509, "public", "addresses", Owner, false, null, 'd', false, false) { OfType = "public.address" },
        ["materialized view with column statistics, storage, compression and options"] = () =>
        {
            var view = MaterializedView();
            view.Columns.Add(new ColumnInfo(1, "n", "bigint", false, null, null, "MAIN", 300, TypeOid: 0) { Options = "n_distinct='-1'", Compression = "pglz" });
            return view;
        },
        ["table inheriting with an inherited NOT NULL"] = () =>
        {
            var parent = Orders();
            var child = new TableObject(16504, "public", "special_orders", Owner, false, null, 'd', false, false);
            child.InheritParents.Add(parent);
            child.Columns.Add(new ColumnInfo(1, "id", "bigint", true, null, null, null, -1, TypeOid: 0, IsLocal: false) { NotNullConstraintName = "orders_id_not_null" });
            child.Columns.Add(Column(2, "reason", "text"));
            child.Checks.Add(new InlineCheck(16511, "note_no_semicolon", "CHECK ((note <> ';'::text))", IsLocal: false));
            return child;
        },
        ["partitioned table"] = Partitioned,
        ["partition"] = Partition,
        ["partition attach"] = () => new PartitionAttachObject(Partitioned(), Partition(), "FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')"),
        ["column default on a table"] = () => new ColumnDefaultObject(16505, Orders(), "id", "nextval('public.orders_id_seq'::regclass)", onView: false),
        ["column default on a view"] = () => new ColumnDefaultObject(16506, View(), "semi", "';'::text", onView: true),
        ["row security"] = () => new RowSecurityObject(Orders()),
        ["table data"] = () => new TableDataObject(Orders(), binary: true),
        ["view"] = View,
        ["placeholder view"] = () =>
        {
            var view = View();
            view.Columns.Add(new ColumnInfo(1, "id", "bigint", false, null, null, null, -1, TypeOid: 0));
            view.Columns.Add(new ColumnInfo(2, "semi", "text", false, null, "pg_catalog.\"default\"", null, -1, TypeOid: 0));
            view.IsPlaceholder = true;
            return view;
        },
        ["view definition"] = () => new ViewDefinitionObject(View(), "check_option='local'"),
        ["materialized view"] = MaterializedView,
        ["materialized view refresh"] = () => new RefreshMaterializedViewObject(MaterializedView()),
        ["sequence"] = () => Sequence(),
        ["sequence owned by a column"] = () =>
        {
            var sequence = Sequence(unlogged: true);
            sequence.OwnedBy = (Orders(), "id");
            return sequence;
        },
        ["sequence owned by entry"] = () => new SequenceOwnedByObject(Sequence(), Orders(), "id"),
        ["external object (privileges only)"] = () => new ExternalObject(new CatalogId(CatalogClasses.Proc, 16599), "extensions", "gen_random_uuid", Owner, ObjectKind.Function, "",
            new ExtensionObject(16598, "pgcrypto", "extensions", "1.3")),
        ["privileges of an external object"] = () => new AclObject(
            new ExternalObject(new CatalogId(CatalogClasses.Proc, 16599), "extensions", "gen_random_uuid", Owner, ObjectKind.Function, "", null),
            "FUNCTION", "extensions.gen_random_uuid()", new AclChanges([new AclItem(Owner, null, "EXECUTE", false)], [new AclItem(Owner, "anon", "EXECUTE", false)]), []),
        ["identity sequence"] = () =>
        {
            var sequence = Sequence(unlogged: true);
            sequence.OwnedBy = (Orders(), "id");
            sequence.IdentityKind = 'a';
            return sequence;
        },
        ["sequence set"] = () => new SequenceSetObject(Sequence(), 42, isCalled: true),
        ["large object"] = () => new LargeObjectObject(16580, Owner),
        ["large object data"] = () => new LargeObjectDataObject(),
        ["index clustered with statistics and replica identity"] = () =>
            new IndexObject(16590, Orders(), "orders_note_idx", "CREATE INDEX orders_note_idx ON public.orders USING btree (lower(note)) WHERE (note <> ';'::text)", clustered: true)
            {
                ReplicaIdentity = true,
                ColumnStatistics = [(1, 1000), (2, 50)],
            },
        ["index attach"] = () => new IndexAttachObject(
            new IndexObject(16591, Partition(), "events_2026_at_idx", "CREATE INDEX events_2026_at_idx ON public.events_2026 USING btree (at)", false),
            "public", "events_at_idx", "public", "events_2026_at_idx"),
        ["primary key"] = () => PrimaryKey(Orders()),
        ["primary key on a partitioned table"] = () => PrimaryKey(Partitioned()),
        ["primary key needed before data"] = () =>
        {
            var key = PrimaryKey(Orders());
            key.NeededBeforeData = true;
            return key;
        },
        ["foreign key on a partitioned table"] = () => new ConstraintObject(16571, Partitioned(), "events_order_fk", 'f', "FOREIGN KEY (order_id) REFERENCES public.orders(id)")
        {
            ReferencedSchema = "public",
            ReferencedTable = "orders",
        },
        ["exclusion constraint"] = () => new ConstraintObject(16572, Orders(), "orders_excl", 'x', "EXCLUDE USING gist (note WITH =)"),
        ["trigger"] = () => new TriggerObject(16600, Orders(), "touch", "CREATE TRIGGER touch BEFORE UPDATE ON public.orders FOR EACH ROW WHEN ((new.note <> ';'::text)) EXECUTE FUNCTION public.touch()", 'O'),
        ["disabled trigger"] = () => new TriggerObject(16601, Orders(), "audit", "CREATE TRIGGER audit AFTER INSERT ON public.orders FOR EACH ROW EXECUTE FUNCTION public.audit(';')", 'D'),
        ["policy"] = () => new PolicyObject(16610, Orders(), "own_rows", 'w', permissive: false, roles: ["clerk", "public", "user"], usingExpression: "(note <> ';'::text)", checkExpression: "(\"Qty\" > 0)"),
        ["policy for PUBLIC"] = () => new PolicyObject(16611, Orders(), "everyone", '*', true, null, null, null),
        ["rule with several actions"] = () => new RuleObject(16620, Orders(), "log_insert",
            "CREATE RULE log_insert AS\n    ON INSERT TO public.orders DO ( INSERT INTO public.log (note)\n  VALUES (';');\n INSERT INTO public.log (note)\n  VALUES (new.note);\n);", 'A'),
        ["rule doing nothing"] = () => new RuleObject(16621, Orders(), "no_delete", "CREATE RULE no_delete AS\n    ON DELETE TO public.orders DO INSTEAD NOTHING;\n", 'O'),
        ["extended statistics"] = () => new StatisticsObject(16630, "public", "orders_stats", Owner, "CREATE STATISTICS public.orders_stats (ndistinct) ON id, note FROM public.orders", 500),
        ["publication"] = () => Publication(),
        ["publication for all tables"] = () => Publication(allTables: true),
        ["publication table"] = () => new PublicationTableObject(16640, Publication(), Orders(), ["id", "note"], "(note <> ';'::text)"),
        ["publication table without columns or filter"] = () => new PublicationTableObject(16641, Publication(), Orders(), null, null),
        ["publication schema"] = () => new PublicationSchemaObject(16642, Publication(), "Sales"),
        ["pre-data boundary"] = () => new BoundaryObject(preData: true),
        ["post-data boundary"] = () => new BoundaryObject(preData: false),
        ["acl with grantors and columns"] = () => new AclObject(Orders(), "TABLE", "public.orders",
            new AclChanges(
                [new AclItem(Owner, Owner, "DELETE", false), new AclItem(Owner, null, "SELECT", false)],
                [
                    new AclItem(Owner, "reader", "SELECT", false),
                    new AclItem(Owner, "Manager", "SELECT", true),
                    new AclItem("Manager", "clerk", "SELECT", false),
                    new AclItem(Owner, null, "INSERT", false),
                ]),
            [new ColumnAcl("note", [new AclItem("Manager", "user", "UPDATE", false), new AclItem(Owner, "reader", "UPDATE", false)])]),
        ["acl with only columns"] = () => new AclObject(Orders(), "TABLE", "public.orders", null, [new ColumnAcl("id", [new AclItem(Owner, "reader", "SELECT", false)])]),
        ["default acl"] = () => new DefaultAclObject(16650, Owner, null, 'f',
            new AclChanges([new AclItem(Owner, null, "EXECUTE", false)], [new AclItem(Owner, "runner", "EXECUTE", true), new AclItem(Owner, null, "EXECUTE", false)])),
        ["default acl in a schema"] = () => new DefaultAclObject(16651, Owner, "Sales", 'r', new AclChanges([], [new AclItem(Owner, "reader", "SELECT", false)])),
        ["schema"] = () => new SchemaObject(16660, "Sales", Owner),
        ["public schema"] = () => new SchemaObject(2200, "public", "pg_database_owner"),
        ["extension"] = () => new ExtensionObject(16661, "pgcrypto", "public", "1.3"),
        ["enum"] = () => new EnumTypeObject(16670, "public", "Mood", Owner, ["happy", "it's ok", "sad;", "a;\nb"]),
        ["composite type"] = () => new CompositeTypeObject(16671, 16672, "public", "pair", Owner,
            [new CompositeAttribute("left", "text", "pg_catalog.\"C\""), new CompositeAttribute("end", "integer", null)]),
        ["domain"] = Domain,
        ["domain without constraints"] = () => new DomainObject(16553, "public", "note", Owner, "text", "pg_catalog.\"C\"", "';'::text", false, []),
        ["domain constraint"] = () =>
        {
            var domain = Domain();
            return new DomainConstraintObject(domain, domain.Constraints[1]);
        },
        ["range type"] = () => new RangeTypeObject(16673, "public", "floatrange", Owner,
            new RangeDefinition("double precision", "float8_ops", null, null, "float8mi", "floatmultirange")),
        ["range type with collation and canonical"] = () => new RangeTypeObject(16674, "public", "textrange", Owner,
            new RangeDefinition("text", null, "pg_catalog.\"C\"", "public.canon", null, null)),
        ["plpgsql function with semicolons inside dollar quotes"] = () => Function("touch",
            "CREATE OR REPLACE FUNCTION public.touch()\n RETURNS trigger\n LANGUAGE plpgsql\n SECURITY DEFINER\nAS $function$\nBEGIN\n  NEW.note := 'done;\n';\n  RAISE NOTICE $q$;\n$q$;\n  RETURN NEW;\nEND;\n$function$\n"),
        ["sql function with a BEGIN ATOMIC body"] = () => Function("f",
            "CREATE OR REPLACE FUNCTION public.f(a integer)\n RETURNS integer\n LANGUAGE sql\nBEGIN ATOMIC\n SELECT CASE\n             WHEN (a > 0) THEN (a + 1)\n             ELSE 0\n         END AS \"case\";\nEND\n"),
        ["procedure"] = () => Function("tidy",
            "CREATE OR REPLACE PROCEDURE public.tidy()\n LANGUAGE plpgsql\nAS $procedure$ BEGIN DELETE FROM public.log WHERE note = ';'; COMMIT; END $procedure$\n", isProcedure: true),
        ["aggregate"] = () => new AggregateObject(16680, "public", "acc_sum", Owner, "numeric", Aggregate(null)),
        ["moving aggregate over no arguments"] = () => new AggregateObject(16681, "public", "acc_count", Owner, "", Aggregate("public.acc") with { Arguments = "", AggregateKind = 'h', SortOperator = "pg_catalog.<", Parallel = 'r' }),
        ["cast with function"] = () => new CastObject(16690, "public.mood", "text", "public.mood_text(public.mood)", 'a', 'f'),
        ["cast with inout"] = () => new CastObject(16691, "text", "public.mood", null, 'i', 'i'),
        ["cast without function"] = () => new CastObject(16692, "public.qty", "integer", null, 'e', 'b'),
        ["operator"] = () => new OperatorObject(16700, "public", "===", Owner,
            new OperatorDefinition("public.mood", "public.mood", "public.mood_eq", "OPERATOR(public.===)", "OPERATOR(public.!==)", "eqsel", "eqjoinsel", true, true)),
        ["prefix operator"] = () => new OperatorObject(16701, "public", "!!", Owner, new OperatorDefinition(null, "bigint", "public.fact", null, null, null, null, false, false)),
        ["operator family with loose members"] = () =>
        {
            var family = new OperatorFamilyObject(16710, "public", "mood_ops", Owner, "btree");
            family.LooseMembers.Add(new OperatorClassMember("OPERATOR 1 public.<(public.mood,text)", 16700, 0));
            family.LooseMembers.Add(new OperatorClassMember("FUNCTION 1 (public.mood, text) public.mood_cmp(public.mood,text)", 0, 16540));
            return family;
        },
        ["operator family"] = () => new OperatorFamilyObject(16711, "public", "empty_ops", Owner, "hash"),
        ["operator class"] = () =>
        {
            var operatorClass = new OperatorClassObject(16720, "public", "mood_ops", Owner, "btree", true, "public.mood", "public.mood_ops", "text");
            operatorClass.Members.Add(new OperatorClassMember("OPERATOR 1 public.<(public.mood,public.mood)", 16700, 0));
            operatorClass.Members.Add(new OperatorClassMember("FUNCTION 1 (public.mood, public.mood) public.mood_cmp(public.mood,public.mood)", 0, 16540));
            return operatorClass;
        },
        ["event trigger with tags, disabled"] = () => new EventTriggerObject(16730, "no_drops", Owner, "ddl_command_start", "public.no_drops", 'D', ["DROP TABLE", "DROP SCHEMA"]),
        ["event trigger"] = () => new EventTriggerObject(16731, "log_ddl", Owner, "ddl_command_end", "public.log_ddl", 'O', null),
        ["collation icu"] = () => new CollationObject(16740, "public", "german", Owner, 'i', null, null, "de-DE", deterministic: false),
        ["collation builtin"] = () => new CollationObject(16741, "public", "c_utf8", Owner, 'b', null, null, null, true),
        ["collation libc"] = () => new CollationObject(16742, "public", "mixed", Owner, 'c', "C", "en_US.utf8", null, true),
        ["text search dictionary"] = () => new TextSearchDictionaryObject(16750, "public", "simple_semi", Owner, "pg_catalog.simple", "stopwords = 'english'"),
        ["text search dictionary without options"] = () => new TextSearchDictionaryObject(16751, "public", "plain", Owner, "pg_catalog.simple", null),
        ["text search configuration"] = () => new TextSearchConfigurationObject(16760, "public", "notes", Owner, "pg_catalog.\"default\"",
            [new TextSearchMapping("asciiword", ["public.simple_semi", "english_stem"]), new TextSearchMapping("word", ["simple"])]),
        ["text search parser"] = () => new TextSearchParserObject(16770, "public", "parser", "prsd_start", "prsd_nexttoken", "prsd_end", "prsd_lextype", "prsd_headline"),
        ["text search template"] = () => new TextSearchTemplateObject(16780, "public", "template", "dsimple_init", "dsimple_lexize"),
        ["text search template without init"] = () => new TextSearchTemplateObject(16781, "public", "bare", null, "dsimple_lexize"),
        ["database properties"] = () => new DatabasePropertiesObject("factory", "Factory; it's\n;", [
            (null, "search_path=\"$user\", public"),
            ("app_owner", "work_mem=64MB"),
            (null, "app.note=a;\nb"),
        ]),
        ["database properties without comment"] = () => new DatabasePropertiesObject("factory", null, [("reader", "statement_timeout=5s")]),
        ["foreign data wrapper with handler, validator and options"] = () =>
            new ForeignDataWrapperObject(16800, "remote;fdw", Owner, "extensions.remote_handler", "extensions.remote_validator", "mode 'a;\nb',\n    \"user\" 'it''s'"),
        ["foreign data wrapper without handler or validator"] = () => new ForeignDataWrapperObject(16801, "plain_fdw", Owner, null, null, null),
        ["foreign server with type, version and options"] = () => Server(),
        ["foreign server without options"] = () => new ForeignServerObject(16811, "bare", Owner, "plain_fdw", null, null, null),
        ["user mapping for a role with a password"] = () => new UserMappingObject(16820, Server(), "user", "\"user\" 'remote', password 'pa''ss;word'"),
        ["user mapping for PUBLIC"] = () => new UserMappingObject(16821, Server(), null, null),
        ["foreign table with column options, CHECK and inheritance"] = () => ForeignOrders(),
        ["privileges on a foreign server"] = () => new AclObject(Server(), "FOREIGN SERVER", "\"remote;pg\"", new AclChanges([], [new AclItem(Owner, "user", "USAGE", true)]), []),
        ["procedural language"] = () => new ProceduralLanguageObject(16790, "my Lang", Owner, trusted: true, "langs.handler", "langs.\"inline;\"", "langs.validator"),
        ["procedural language with a handler only"] = () => new ProceduralLanguageObject(16791, "plain", Owner, trusted: false, "langs.handler", null, null),
        ["procedural language left to its extension"] = () => new ProceduralLanguageObject(16789, "plperl", Owner, trusted: true, null, null, null),
        ["transform"] = () => new TransformObject(16792, "public.\"Mood\"", "my Lang", "public.mood_from(internal)", "public.mood_to(internal)"),
        ["transform to SQL only"] = () => new TransformObject(16793, "integer", "plain", null, "public.int_to(internal)"),
        ["index access method"] = () => new AccessMethodObject(16794, "my;btree", 'i', "bthandler"),
        ["table access method"] = () => new AccessMethodObject(16795, "my_heap", 't', "heap_tableam_handler"),
        ["conversion"] = () => new ConversionObject(16796, "public", "utf8;latin1", Owner, isDefault: true, "UTF8", "LATIN1", "utf8_to_iso8859_1"),
        ["base type"] = () => BaseType(),
        ["shell type"] = () => new ShellTypeObject(BaseType()),
        ["standalone shell type"] = () => new UndefinedTypeObject(16802, "public", "later;", Owner),
        ["subscription"] = () => new SubscriptionObject(16803, "sub;1", Owner, new SubscriptionDefinition(
            "host=a;b dbname='x;y'", ["pub;1", "pub2"], "slot;1", Binary: true, "parallel", TwoPhase: true, DisableOnError: true, "remote_apply",
            "none", PasswordRequired: false, RunAsOwner: true, Failover: true)),
        ["table using an access method"] = () => new TableObject(16798, "public", "heapish", Owner, false, "fillfactor='70'", 'd', false, false) { AccessMethod = "my heap" },
        ["materialized view using an access method"] = () => new MaterializedViewObject(16799, "public", "mv", Owner, null, " SELECT 1 AS one;", true) { AccessMethod = "my_heap" },
    };

    private static ForeignServerObject Server() =>
        new(16810, "remote;pg", Owner, "remote;fdw", "postgres", "15;", "host 'db;example',\n    dbname 'x'");

    private static TableObject ForeignOrders()
    {
        var table = new TableObject(16830, "public", "remote orders", Owner, unlogged: false, options: null, replicaIdentity: 'd', rowSecurity: false, forceRowSecurity: false)
        {
            Foreign = new ForeignTableInfo("remote;pg", "table_name 'orders;',\n    fetch_size '500'"),
        };
        table.Columns.Add(Column(1, "id", "integer", notNull: true) with { ForeignOptions = "column_name 'order;id'", StatisticsTarget = 50 });
        table.Columns.Add(Column(2, "end", "text"));
        table.Checks.Add(new InlineCheck(16831, "orders_id_check", "CHECK ((id > 0))"));
        table.InheritParents.Add(Orders());
        return table;
    }

    public static TheoryData<string> CaseNames() => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Every_statement_a_writer_writes_ends_where_the_lexer_ends_it(string name)
    {
        foreach (var (context, label) in new[] { (Plain(), "without comments"), (Commented(), "with comments") })
        {
            var item = Cases[name]();
            AssertStatementsMatchLexer(writer => item.WriteCreate(writer, context), $"({name}, create, {label})");
            AssertStatementsMatchLexer(writer => item.WriteOwner(writer, context), $"({name}, owner, {label})");
            AssertStatementsMatchLexer(writer => item.WriteDrop(writer, context, ifExists: false), $"({name}, drop, {label})");
            AssertStatementsMatchLexer(writer => item.WriteDrop(writer, context, ifExists: true), $"({name}, drop if exists, {label})");
            if (item is ConstraintObject constraint)
            {
                AssertStatementsMatchLexer(writer => constraint.WriteIndexFirst(writer, TextWriter.Null, context), $"({name}, index first: index, {label})");
                AssertStatementsMatchLexer(writer => constraint.WriteIndexFirst(TextWriter.Null, writer, context), $"({name}, index first: constraint, {label})");
            }
        }
    }

    [Fact]
    public void The_cases_cover_every_kind_of_dumped_object()
    {
        var covered = new HashSet<Type>();
        foreach (var build in Cases.Values)
            covered.Add(build().GetType());

        var kinds = typeof(DumpableObject).Assembly.GetTypes()
            .Where(type => type is { IsClass: true, IsAbstract: false } && type.IsSubclassOf(typeof(DumpableObject)))
            .ToList();

        kinds.Should().HaveCountGreaterThan(40, "the model has many kinds; finding few means the reflection looked in the wrong place");
        kinds.Where(kind => !covered.Contains(kind)).Select(kind => kind.Name).Should().BeEmpty(
            "every kind of dumped object needs a case here, so its writers are checked for statement ends");
    }

    [Fact]
    public void Writing_a_key_index_first_ends_the_index_and_the_adopting_statements()
    {
        var key = PrimaryKey(Orders());
        var context = Commented();
        using var index = new StatementWriter();
        using var adopt = new StatementWriter();

        key.WriteIndexFirst(index, adopt, context).Should().BeTrue();

        index.Statements().Should().Equal("CREATE UNIQUE INDEX orders_pkey ON public.orders USING btree (id);\n");
        var statements = adopt.Statements();
        statements.Should().HaveCount(4, "ADD CONSTRAINT … USING INDEX, CLUSTER ON, REPLICA IDENTITY and the comment");
        statements[0].Should().StartWith("ALTER TABLE ONLY public.orders\n    ADD CONSTRAINT orders_pkey PRIMARY KEY USING INDEX orders_pkey");
        statements[3].Should().StartWith("\nCOMMENT ON CONSTRAINT orders_pkey ON public.orders IS ");
    }

    [Fact]
    public void A_function_body_with_semicolons_is_one_statement_and_its_comment_another()
    {
        var function = (FunctionObject)Cases["plpgsql function with semicolons inside dollar quotes"]();
        using var writer = new StatementWriter();

        function.WriteCreate(writer, Commented());

        var statements = writer.Statements();
        statements.Should().HaveCount(2);
        statements[0].Should().StartWith("CREATE OR REPLACE FUNCTION public.touch()").And.EndWith("$function$;\n");
        statements[1].Should().StartWith("\nCOMMENT ON FUNCTION public.touch() IS ");
    }

    [Fact]
    public void Grants_under_another_grantor_are_three_statements()
    {
        var acl = new AclObject(Orders(), "TABLE", "public.orders", new AclChanges([], [new AclItem("Manager", "clerk", "SELECT", false)]), []);
        using var writer = new StatementWriter();

        acl.WriteCreate(writer, Plain());

        writer.Statements().Should().Equal(
            "SET SESSION AUTHORIZATION \"Manager\";\n",
            "GRANT SELECT ON TABLE public.orders TO clerk;\n",
            "RESET SESSION AUTHORIZATION;\n");
    }

    [Fact]
    public void Text_written_without_ending_its_statement_is_reported()
    {
        using var writer = new StatementWriter();
        writer.Write("CREATE SCHEMA a;\n");
        writer.EndStatement();
        writer.Write("CREATE SCHEMA b;\n");

        var act = () => writer.Statements();

        act.Should().Throw<InvalidOperationException>().WithMessage("*CREATE SCHEMA b;*");
    }

    [Fact]
    public void Ending_a_statement_on_any_other_writer_changes_nothing()
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        writer.Write("SELECT 1;\n");

        writer.EndStatement();

        writer.ToString().Should().Be("SELECT 1;\n");
    }
}
