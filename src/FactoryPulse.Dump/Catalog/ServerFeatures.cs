namespace FactoryPulse.Dump.Catalog;

/// <summary>
/// Every difference between server versions the catalog readers care about, in one place: readers ask these instead of
/// comparing version numbers. Queries elsewhere are written to work unchanged on every supported version (13+), e.g.
/// <c>COALESCE(attstattarget::int, -1)</c> and <c>COALESCE(stxstattarget::int, -1)</c> cover the columns becoming
/// nullable in 17, and a VIRTUAL generated column is simply <c>attgenerated = 'v'</c>, which older servers never hold.
/// </summary>
internal sealed class ServerFeatures(int versionNumber)
{
    /// <summary>server_version_num, e.g. 170002.</summary>
    public int VersionNumber { get; } = versionNumber;

    /// <summary>Multirange types (pg_range.rngmultitypid), PostgreSQL 14+.</summary>
    public bool HasMultiranges => VersionNumber >= 140000;

    /// <summary>Subscripting handlers of base types (pg_type.typsubscript), PostgreSQL 14+.</summary>
    public bool HasTypeSubscript => VersionNumber >= 140000;

    /// <summary>
    /// The pg_collation column holding the ICU/builtin locale, or null when there is none: before 15 an ICU locale sits in
    /// collcollate; 15–16 have colliculocale; 17 renamed it colllocale (it holds the builtin provider's locale too).
    /// </summary>
    public string? CollationLocaleColumn => VersionNumber >= 170000 ? "colllocale" : VersionNumber >= 150000 ? "colliculocale" : null;

    /// <summary>Per-column TOAST compression (pg_attribute.attcompression), PostgreSQL 14+.</summary>
    public bool HasColumnCompression => VersionNumber >= 140000;

    /// <summary>Publication column lists and row filters (pg_publication_rel.prattrs/prqual), PostgreSQL 15+.</summary>
    public bool HasPublicationColumnListsAndRowFilters => VersionNumber >= 150000;

    /// <summary>Publications of whole schemas (pg_publication_namespace), PostgreSQL 15+.</summary>
    public bool HasPublicationSchemas => VersionNumber >= 150000;

    /// <summary>NOT NULL constraints as pg_constraint rows (contype 'n') with names of their own, PostgreSQL 18+.</summary>
    public bool HasNotNullConstraints => VersionNumber >= 180000;
}
