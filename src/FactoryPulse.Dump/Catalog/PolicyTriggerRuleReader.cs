using FactoryPulse.Dump.Model;

namespace FactoryPulse.Dump.Catalog;

/// <summary>What hangs off a relation besides constraints and indexes: triggers, rules, policies, extended statistics.</summary>
internal sealed class PolicyTriggerRuleReader(CatalogSession session) : CatalogFamilyReader(session)
{
    /// <summary>Triggers (ReadTriggersAsync).</summary>
    public static string TriggersSql =>
        """
        SELECT t.oid, t.tgrelid, t.tgname, pg_catalog.pg_get_triggerdef(t.oid, false) AS definition, t.tgenabled::text AS enabled
        FROM pg_catalog.pg_trigger t
        WHERE NOT t.tgisinternal -- foreign-key triggers come back with their constraints
          AND t.tgparentid = 0   -- clones on partitions come back with the partitioned table's trigger
        ORDER BY t.tgrelid, t.tgname
        """;

    public Task ReadTriggersAsync() => Query(TriggersSql,
        row =>
        {
            if (!Lookups.Relations.TryGetValue(row.Oid("tgrelid"), out var relation))
                return;
            var trigger = new TriggerObject(row.Oid("oid"), relation, row.String("tgname"), row.String("definition"), row.Char("enabled"));
            trigger.AddDependency(relation);
            Lookups.Triggers[trigger.Id.ObjectId] = trigger;
            Lookups.Objects.Add(trigger);
        });

    public Task ReadRulesAsync() => Query(
        """
        SELECT r.oid, r.ev_class, r.rulename, pg_catalog.pg_get_ruledef(r.oid) AS definition, r.ev_enabled::text AS enabled
        FROM pg_catalog.pg_rewrite r WHERE r.rulename <> '_RETURN'
        ORDER BY r.ev_class, r.rulename
        """,
        row =>
        {
            if (!Lookups.Relations.TryGetValue(row.Oid("ev_class"), out var relation))
                return;
            var rule = new RuleObject(row.Oid("oid"), relation, row.String("rulename"), row.String("definition"), row.Char("enabled"));
            rule.AddDependency(relation);
            Lookups.AddOther(rule);
        });

    /// <summary>Row-level security policies (ReadPoliciesAsync).</summary>
    public static string PoliciesSql =>
        """
        SELECT p.oid, p.polrelid, p.polname, p.polcmd::text AS command, p.polpermissive,
               CASE WHEN p.polroles = '{0}' THEN NULL
                    ELSE ARRAY(SELECT CASE WHEN r.role = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(r.role)::text END
                               FROM pg_catalog.unnest(p.polroles) WITH ORDINALITY AS r(role, position) ORDER BY r.position) END AS roles,
               pg_catalog.pg_get_expr(p.polqual, p.polrelid) AS using_expression,
               pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) AS check_expression
        FROM pg_catalog.pg_policy p
        ORDER BY p.polrelid, p.polname
        """;

    public Task ReadPoliciesAsync() => Query(PoliciesSql,
        row =>
        {
            if (!Lookups.Relations.TryGetValue(row.Oid("polrelid"), out var relation))
                return;
            var policy = new PolicyObject(row.Oid("oid"), relation, row.String("polname"), row.Char("command"), row.Bool("polpermissive"),
                row.StringArray("roles"), row.NullableString("using_expression"), row.NullableString("check_expression"));
            policy.AddDependency(relation);
            Lookups.Policies[policy.Id.ObjectId] = policy;
            Lookups.Objects.Add(policy);
        });

    public Task ReadStatisticsAsync() => Query(
        $"""
        SELECT s.oid, n.nspname AS schema, s.stxname AS name, pg_catalog.pg_get_userbyid(s.stxowner) AS owner, s.stxrelid,
               pg_catalog.pg_get_statisticsobjdef(s.oid) AS definition, COALESCE(s.stxstattarget::int, -1) AS stattarget
        FROM pg_catalog.pg_statistic_ext s JOIN pg_catalog.pg_namespace n ON n.oid = s.stxnamespace
        WHERE {UserSchema}
        ORDER BY n.nspname, s.stxname
        """,
        row =>
        {
            if (!Lookups.Relations.TryGetValue(row.Oid("stxrelid"), out var relation))
                return;
            var statistics = new StatisticsObject(row.Oid("oid"), row.String("schema"), row.String("name"), row.String("owner"), row.String("definition"), row.Int("stattarget"));
            statistics.AddDependency(relation);
            statistics.AddDependency(Lookups.SchemaNamed(statistics.Schema));
            Lookups.AddOther(statistics);
        });
}
