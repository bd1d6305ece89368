namespace FactoryPulse.Dump.Model;

/// <summary>What an object (and its archive entry) is; <see cref="ObjectKinds.TocName"/> gives pg_dump's TOC type name for it.</summary>
internal enum ObjectKind
{
    Schema,
    Extension,
    Type,
    Domain,
    Constraint,
    ForeignKeyConstraint,
    Function,
    Procedure,
    Aggregate,
    Cast,
    Operator,
    OperatorFamily,
    OperatorClass,
    EventTrigger,
    Collation,
    TextSearchDictionary,
    TextSearchConfiguration,
    TextSearchParser,
    TextSearchTemplate,
    Table,
    View,
    ViewDefinition,
    MaterializedView,
    Sequence,
    SequenceOwnedBy,
    TableAttach,
    Default,
    RowSecurity,
    TableData,
    SequenceSet,
    MaterializedViewData,
    LargeObject,
    LargeObjectData,
    DatabaseProperties,
    Index,
    IndexAttach,
    Trigger,
    Policy,
    Publication,
    PublicationTable,
    PublicationTablesInSchema,
    Subscription,
    Rule,
    Statistics,
    ProceduralLanguage,
    Transform,
    AccessMethod,
    Conversion,
    ShellType,
    Acl,
    DefaultAcl,
    ForeignDataWrapper,
    ForeignServer,
    UserMapping,
    ForeignTable,
    PreDataBoundary,
    PostDataBoundary,
}

/// <summary>The one table between <see cref="ObjectKind"/> and pg_dump's TOC type names (the archive's and the listing's text).</summary>
internal static class ObjectKinds
{
    private static readonly string[] Names = BuildNames();

    private static readonly Dictionary<string, ObjectKind> ByName = BuildIndex();

    /// <summary>pg_dump's TOC type name: "TABLE", "FK CONSTRAINT", "BLOBS", ….</summary>
    public static string TocName(this ObjectKind kind) => Names[(int)kind];

    public static bool TryParse(string name, out ObjectKind kind) => ByName.TryGetValue(name, out kind);

    /// <summary>A relation: something with a row in pg_class that a selection by table name can pick.</summary>
    public static bool IsRelation(this ObjectKind kind) => kind is ObjectKind.Table or ObjectKind.View or ObjectKind.MaterializedView or ObjectKind.Sequence or ObjectKind.ForeignTable;

    /// <summary>A privilege entry (GRANT/REVOKE or ALTER DEFAULT PRIVILEGES).</summary>
    public static bool IsPrivileges(this ObjectKind kind) => kind is ObjectKind.Acl or ObjectKind.DefaultAcl;

    private static string[] BuildNames()
    {
        var names = new string[(int)ObjectKind.PostDataBoundary + 1];
        names[(int)ObjectKind.Schema] = "SCHEMA";
        names[(int)ObjectKind.SequenceOwnedBy] = "SEQUENCE OWNED BY";
        names[(int)ObjectKind.Extension] = "EXTENSION";
        names[(int)ObjectKind.Type] = "TYPE";
        names[(int)ObjectKind.Domain] = "DOMAIN";
        names[(int)ObjectKind.Constraint] = "CONSTRAINT";
        names[(int)ObjectKind.ForeignKeyConstraint] = "FK CONSTRAINT";
        names[(int)ObjectKind.Function] = "FUNCTION";
        names[(int)ObjectKind.Procedure] = "PROCEDURE";
        names[(int)ObjectKind.Aggregate] = "AGGREGATE";
        names[(int)ObjectKind.Cast] = "CAST";
        names[(int)ObjectKind.Operator] = "OPERATOR";
        names[(int)ObjectKind.OperatorFamily] = "OPERATOR FAMILY";
        names[(int)ObjectKind.OperatorClass] = "OPERATOR CLASS";
        names[(int)ObjectKind.EventTrigger] = "EVENT TRIGGER";
        names[(int)ObjectKind.Collation] = "COLLATION";
        names[(int)ObjectKind.TextSearchDictionary] = "TEXT SEARCH DICTIONARY";
        names[(int)ObjectKind.TextSearchConfiguration] = "TEXT SEARCH CONFIGURATION";
        names[(int)ObjectKind.TextSearchParser] = "TEXT SEARCH PARSER";
        names[(int)ObjectKind.TextSearchTemplate] = "TEXT SEARCH TEMPLATE";
        names[(int)ObjectKind.Table] = "TABLE";
        names[(int)ObjectKind.View] = "VIEW";
        names[(int)ObjectKind.ViewDefinition] = "VIEW DEFINITION";
        names[(int)ObjectKind.MaterializedView] = "MATERIALIZED VIEW";
        names[(int)ObjectKind.Sequence] = "SEQUENCE";
        names[(int)ObjectKind.TableAttach] = "TABLE ATTACH";
        names[(int)ObjectKind.Default] = "DEFAULT";
        names[(int)ObjectKind.RowSecurity] = "ROW SECURITY";
        names[(int)ObjectKind.TableData] = "TABLE DATA";
        names[(int)ObjectKind.SequenceSet] = "SEQUENCE SET";
        names[(int)ObjectKind.MaterializedViewData] = "MATERIALIZED VIEW DATA";
        names[(int)ObjectKind.LargeObject] = "BLOB";
        names[(int)ObjectKind.LargeObjectData] = "BLOBS";
        names[(int)ObjectKind.DatabaseProperties] = "DATABASE PROPERTIES";
        names[(int)ObjectKind.Index] = "INDEX";
        names[(int)ObjectKind.IndexAttach] = "INDEX ATTACH";
        names[(int)ObjectKind.Trigger] = "TRIGGER";
        names[(int)ObjectKind.Policy] = "POLICY";
        names[(int)ObjectKind.Publication] = "PUBLICATION";
        names[(int)ObjectKind.PublicationTable] = "PUBLICATION TABLE";
        names[(int)ObjectKind.PublicationTablesInSchema] = "PUBLICATION TABLES IN SCHEMA";
        names[(int)ObjectKind.Subscription] = "SUBSCRIPTION";
        names[(int)ObjectKind.Rule] = "RULE";
        names[(int)ObjectKind.Statistics] = "STATISTICS";
        names[(int)ObjectKind.ProceduralLanguage] = "PROCEDURAL LANGUAGE";
        names[(int)ObjectKind.Transform] = "TRANSFORM";
        names[(int)ObjectKind.AccessMethod] = "ACCESS METHOD";
        names[(int)ObjectKind.Conversion] = "CONVERSION";
        names[(int)ObjectKind.ShellType] = "SHELL TYPE";
        names[(int)ObjectKind.Acl] = "ACL";
        names[(int)ObjectKind.DefaultAcl] = "DEFAULT ACL";
        names[(int)ObjectKind.ForeignDataWrapper] = "FOREIGN DATA WRAPPER";
        names[(int)ObjectKind.ForeignServer] = "SERVER";
        names[(int)ObjectKind.UserMapping] = "USER MAPPING";
        names[(int)ObjectKind.ForeignTable] = "FOREIGN TABLE";
        names[(int)ObjectKind.PreDataBoundary] = "PRE-DATA BOUNDARY";
        names[(int)ObjectKind.PostDataBoundary] = "POST-DATA BOUNDARY";
        return names;
    }

    private static Dictionary<string, ObjectKind> BuildIndex()
    {
        var index = new Dictionary<string, ObjectKind>(Names.Length, StringComparer.Ordinal);
        for (var i = 0; i < Names.Length; i++)
            index.Add(Names[i], (ObjectKind)i);
        return index;
    }
}
