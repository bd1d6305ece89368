using FactoryPulse.Dump.Dumping;
using FactoryPulse.Dump.Model;

namespace FactoryPulse.Dump.Tests;

/// <summary>The pure part of choosing a redaction's replacement: candidates per type, conflicts that need no rows, rules and wording.</summary>
public sealed class RedactionPlannerTests
{
    private static RedactedColumn Column(string baseType, char category, char kind = 'b', bool notNull = true, string? typeName = null, bool builtIn = true) =>
        new(2, "secret", typeName ?? baseType, notNull, baseType, builtIn, category, kind);

    [Theory]
    [InlineData("text", 'S', 'b', "", "redacted")]
    [InlineData("varchar", 'S', 'b', "", "redacted")]
    [InlineData("int4", 'N', 'b', "0", "1")]
    [InlineData("numeric", 'N', 'b', "0", "1")]
    [InlineData("bool", 'B', 'b', "false")]
    [InlineData("timestamptz", 'D', 'b', "1970-01-01 00:00:00+00")]
    [InlineData("date", 'D', 'b', "1970-01-01 00:00:00+00")]
    [InlineData("interval", 'T', 'b', "0")]
    [InlineData("inet", 'I', 'b', "0.0.0.0")]
    [InlineData("jsonb", 'U', 'b', "{}")]
    [InlineData("json", 'U', 'b', "{}")]
    [InlineData("uuid", 'U', 'b', "00000000-0000-0000-0000-000000000000")]
    [InlineData("bytea", 'U', 'b', "")]
    [InlineData("_text", 'A', 'b', "{}")]
    [InlineData("int4range", 'R', 'r', "empty")]
    [InlineData("int4multirange", 'R', 'm', "{}")]
    public void A_not_null_column_tries_the_neutral_values_of_its_base_type(string baseType, char category, char kind, params string[] expected)
    {
        RedactionPlanner.Candidates(Column(baseType, category, kind), given: null).Should().Equal(expected);
    }

    [Theory]
    [InlineData("mood", 'E', 'e')]
    [InlineData("address", 'C', 'c')]
    [InlineData("xml", 'U', 'b')]
    [InlineData("point", 'G', 'b')]
    public void Types_without_a_neutral_value_give_no_candidate_when_the_column_is_not_null(string baseType, char category, char kind)
    {
        RedactionPlanner.Candidates(Column(baseType, category, kind), given: null).Should().BeEmpty();
        RedactionPlanner.Candidates(Column(baseType, category, kind, notNull: false), given: null).Should().Equal([null]);
    }

    [Fact]
    public void A_user_type_named_like_a_built_in_one_is_not_taken_for_it()
    {
        RedactionPlanner.NeutralValues(Column("jsonb", 'U', builtIn: false)).Should().BeEmpty();
        RedactionPlanner.NeutralValues(Column("citext", 'S', builtIn: false)).Should().Equal("", "redacted");
    }

    [Fact]
    public void A_nullable_column_tries_null_first_and_a_given_value_is_the_only_candidate()
    {
        RedactionPlanner.Candidates(Column("text", 'S', notNull: false), given: null).Should().Equal(null, "", "redacted");
        RedactionPlanner.Candidates(Column("text", 'S', notNull: false), given: "x").Should().Equal("x");
        RedactionPlanner.Candidates(Column("int4", 'N'), given: "").Should().Equal("");
    }

    [Fact]
    public void A_column_other_tables_point_at_is_refused_whatever_the_value()
    {
        var referenced = new RedactionConstraint(RedactionConstraintKind.ReferencedByForeignKey, "orders_customer_fkey", [1]) { OtherTable = "public.orders" };

        RedactionPlanner.StaticConflict(referenced, null).Should().Contain("orders_customer_fkey of public.orders").And.Contain("orphan");
        RedactionPlanner.StaticConflict(referenced, "0").Should().Contain("orders_customer_fkey");
    }

    [Fact]
    public void A_referencing_column_takes_null_but_no_constant_and_match_full_keys_not_even_null()
    {
        var simple = new RedactionConstraint(RedactionConstraintKind.ForeignKey, "items_order_fkey", [2]) { OtherTable = "public.orders" };
        var full = new RedactionConstraint(RedactionConstraintKind.ForeignKey, "items_pair_fkey", [2, 3]) { OtherTable = "public.pairs", MatchFull = true };

        RedactionPlanner.StaticConflict(simple, null).Should().BeNull();
        RedactionPlanner.StaticConflict(simple, "0").Should().Be("'0' would have to exist in public.orders (foreign key items_order_fkey)");
        RedactionPlanner.StaticConflict(full, null).Should().Contain("MATCH FULL");
    }

    [Fact]
    public void Exclusion_constraints_take_null_and_nothing_else()
    {
        var exclusion = new RedactionConstraint(RedactionConstraintKind.Exclusion, "rooms_no_overlap", [2]);

        RedactionPlanner.StaticConflict(exclusion, null).Should().BeNull();
        RedactionPlanner.StaticConflict(exclusion, "").Should().Contain("rooms_no_overlap");
    }

    [Fact]
    public void Checks_and_unique_keys_are_left_to_the_rows_where_the_value_can_matter()
    {
        var check = new RedactionConstraint(RedactionConstraintKind.Check, "t_secret_check", [2]) { Expression = "(char_length(secret) > 0)" };
        var unique = new RedactionConstraint(RedactionConstraintKind.Unique, "t_secret_key", [2]) { Keys = ["secret"] };
        var nullsNotDistinct = unique with { NullsNotDistinct = true };

        RedactionPlanner.StaticConflict(check, "").Should().BeNull();
        RedactionPlanner.NeedsRowCheck(check, null).Should().BeTrue("a CHECK may refuse NULL (x IS NOT NULL)");
        RedactionPlanner.NeedsRowCheck(unique, null).Should().BeFalse("NULLs never collide");
        RedactionPlanner.NeedsRowCheck(unique, "").Should().BeTrue();
        RedactionPlanner.NeedsRowCheck(nullsNotDistinct, null).Should().BeTrue();
    }

    [Fact]
    public void A_partition_bound_involves_every_column_and_other_constraints_only_their_own()
    {
        new RedactionConstraint(RedactionConstraintKind.PartitionBound, "partition bound", []).Involves(7).Should().BeTrue();
        new RedactionConstraint(RedactionConstraintKind.Check, "c", [1, 3]).Involves(3).Should().BeTrue();
        new RedactionConstraint(RedactionConstraintKind.Check, "c", [1, 3]).Involves(2).Should().BeFalse();
    }

    [Fact]
    public void Redact_rules_come_before_the_supabase_list_so_the_users_value_wins()
    {
        var rules = RedactionPlanner.Rules(new DumpOptions
        {
            OutputPath = "x",
            Redact = ["auth.users.confirmation_token=none", "public.t.c"],
            RedactSupabaseSecrets = true,
        });

        rules[0].Should().Be(new RedactionRule("auth", "users", "confirmation_token", "none", Required: true));
        rules[1].Should().Be(new RedactionRule("public", "t", "c", null, Required: true));
        rules.Should().ContainEquivalentOf(new RedactionRule("auth", "users", "confirmation_token", "", Required: false));
        rules.Should().ContainEquivalentOf(new RedactionRule("auth", "one_time_tokens", "token_hash", null, Required: false));
        rules[0].Option.Should().Be("Redact");
        rules[^1].Option.Should().Be("RedactSupabaseSecrets");
    }

    [Fact]
    public void A_refusal_names_the_column_each_reason_and_what_to_do()
    {
        var column = Column("text", 'S', typeName: "text") with { Name = "secret" };

        RedactionPlanner.RefusalMessage("public", "t7", column, given: false, keyConflict: false, ["NULL: the column is NOT NULL", "'' breaks check constraint c (secret <> ''::text)"])
            .Should().Be("Cannot redact public.t7.secret (text) with a replacement the archive could restore: NULL: the column is NOT NULL; " +
                "'' breaks check constraint c (secret <> ''::text). Name a value that fits with public.t7.secret=VALUE, or leave the table's rows out of the dump " +
                "(ExcludeTableData, --exclude-table-data public.t7).");
        RedactionPlanner.RefusalMessage("public", "t7", column, given: true, keyConflict: true, ["'x' would repeat in unique index t7_secret_key"])
            .Should().Be("Cannot redact public.t7.secret (text) with the given value the archive could restore: 'x' would repeat in unique index t7_secret_key. " +
                "One value in every row cannot satisfy that key: leave the table's rows out of the dump (ExcludeTableData, --exclude-table-data public.t7), " +
                "or do not redact the column.");
        RedactionPlanner.RefusalMessage("public", "t", Column("mood", 'E', 'e', typeName: "public.mood"), given: false, keyConflict: false, [])
            .Should().Contain("the column is NOT NULL and its type public.mood has no neutral value");
    }

    [Fact]
    public void The_rows_are_probed_as_restored_replaced_columns_swapped_and_generated_ones_computed_again()
    {
        var table = new TableObject(16700, "Auth", "one time", "owner", unlogged: false, options: null, replicaIdentity: 'd', rowSecurity: false, forceRowSecurity: false);
        table.Columns.Add(new ColumnInfo(1, "id", "integer", true, null, null, null, -1, TypeOid: 23));
        table.Columns.Add(new ColumnInfo(2, "secret", "text", true, null, null, null, -1, TypeOid: 25));
        table.Columns.Add(new ColumnInfo(3, "digest", "text", false, "md5(secret)", null, null, -1, TypeOid: 25));
        var replacements = new Dictionary<string, string> { ["secret"] = RedactionPlanner.Literal("it's", "text") };

        RedactionPlanner.SubstitutedRelation(table, replacements).Should().Be(
            "(SELECT \"id\", \"secret\", (md5(secret)) AS \"digest\" FROM (SELECT \"id\", 'it''s'::text AS \"secret\" FROM ONLY \"Auth\".\"one time\") AS \"one time\") AS \"one time\"");
        RedactionPlanner.Literal(null, "auth.one_time_token_type").Should().Be("NULL::auth.one_time_token_type");
    }

    [Theory]
    [InlineData("public..secret")]
    [InlineData("public.t.c|public.t.c=x")]
    [InlineData("public.t.c=a\u0000b")]
    public void Rules_with_an_empty_name_the_same_column_twice_or_a_nul_in_the_value_are_option_errors(string rules)
    {
        var options = new DumpOptions { OutputPath = "x", Redact = rules.Split('|') };

        options.Invoking(o => o.Validate()).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("Redact");
    }
}
