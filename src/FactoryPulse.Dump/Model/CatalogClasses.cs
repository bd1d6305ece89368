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
    public const uint PublicationRel = 6106;
    public const uint DefaultAcl = 826;

    /// <summary>Objects with oids below this were created by initdb (FirstNormalObjectId).</summary>
    public const uint FirstNormalObjectId = 16384;
}

/// <summary>Sort priorities, in pg_dump_sort.c's order.</summary>
internal static class Priorities
{
    public const int Schema = 1;
    public const int Extension = 2;
    public const int Type = 3;
    public const int Function = 4;
    public const int Table = 5;
    public const int ColumnDefault = 6;
    public const int PreDataBoundary = 7;
    public const int TableData = 8;
    public const int SequenceSet = 9;
    public const int PostDataBoundary = 10;
    public const int Constraint = 11;
    public const int Index = 12;
    public const int Trigger = 13;
    public const int ForeignKey = 14;
    public const int Policy = 15;
    public const int Publication = 16;
    public const int PublicationTable = 17;
    public const int Acl = 18;
    public const int DefaultAcl = 19;
    public const int RefreshMaterializedView = 20;
}
