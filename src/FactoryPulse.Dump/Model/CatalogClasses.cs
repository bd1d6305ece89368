namespace FactoryPulse.Dump.Model;

/// <summary>Oids of the system catalogs that pg_depend and pg_description refer to (fixed since PostgreSQL 7.x–15).</summary>
internal static class CatalogClasses
{
    public const uint Class = 1259;
    public const uint Type = 1247;
    public const uint Proc = 1255;
    public const uint Namespace = 2615;
    public const uint Constraint = 2606;
    public const uint AttrDef = 2604;
    public const uint Rewrite = 2618;
    public const uint Trigger = 2620;
    public const uint Policy = 3256;
    public const uint Extension = 3079;
    public const uint Publication = 6104;
    public const uint Subscription = 6100;
    public const uint PublicationRel = 6106;
    public const uint DefaultAcl = 826;
    public const uint Collation = 3456;
    public const uint TextSearchDictionary = 3600;
    public const uint TextSearchConfiguration = 3602;
    public const uint Cast = 2605;
    public const uint Operator = 2617;
    public const uint EventTrigger = 3466;
    public const uint StatisticExt = 3381;
    public const uint PublicationNamespace = 6237;
    public const uint LargeObject = 2613;
    public const uint OperatorClass = 2616;
    public const uint OperatorFamily = 2753;
    public const uint TextSearchParser = 3601;
    public const uint TextSearchTemplate = 3764;
    public const uint ForeignDataWrapper = 2328;
    public const uint ForeignServer = 1417;
    public const uint UserMapping = 1418;
    public const uint Language = 2612;
    public const uint Transform = 3576;
    public const uint AccessMethod = 2601;
    public const uint Conversion = 2607;

    /// <summary>Objects with oids below this were created by initdb (FirstNormalObjectId).</summary>
    public const uint FirstNormalObjectId = 16384;
}

/// <summary>Sort priorities, in pg_dump_sort.c's order (gaps leave room for kinds to come).</summary>
internal static class Priorities
{
    public const int Schema = 10;
    public const int ProceduralLanguage = 15;
    public const int Collation = 20;
    public const int Transform = 25;
    public const int Extension = 30;
    public const int Type = 40;
    public const int Cast = 50;
    public const int Function = 60;
    public const int Aggregate = 70;
    public const int AccessMethod = 75;
    public const int Operator = 80;
    public const int OperatorFamily = 84;
    public const int OperatorClass = 86;
    /// <summary>pg_dump sorts conversions after operator classes and families, before text search parsers.</summary>
    public const int Conversion = 86;
    public const int TextSearchParser = 87;
    public const int TextSearchTemplate = 88;
    public const int TextSearchDictionary = 90;
    public const int TextSearchConfiguration = 100;
    public const int ForeignDataWrapper = 104;

    /// <summary>Servers and user mappings (pg_dump's PRIO_FOREIGN_SERVER); foreign tables sort as tables.</summary>
    public const int ForeignServer = 106;
    public const int Table = 110;
    public const int TableAttach = 120;
    public const int ColumnDefault = 130;
    public const int LargeObject = 135;
    public const int PreDataBoundary = 140;
    public const int TableData = 150;
    public const int SequenceSet = 160;
    public const int LargeObjectData = 165;
    public const int PostDataBoundary = 170;
    public const int Constraint = 180;
    public const int Index = 190;
    public const int IndexAttach = 200;
    public const int Statistics = 210;
    public const int Rule = 220;
    public const int Trigger = 230;
    public const int ForeignKey = 240;
    public const int Policy = 250;
    public const int Publication = 260;
    public const int PublicationTable = 270;
    public const int Subscription = 275;
    public const int Acl = 280;
    public const int DefaultAcl = 290;
    public const int EventTrigger = 300;
    public const int RefreshMaterializedView = 310;
}
