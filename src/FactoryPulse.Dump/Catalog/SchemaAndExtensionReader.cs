using FactoryPulse.Dump.Model;

namespace FactoryPulse.Dump.Catalog;

/// <summary>Database-level objects: schemas, extensions and large objects (their metadata; the contents are data).</summary>
internal sealed class SchemaAndExtensionReader(CatalogSession session) : CatalogFamilyReader(session)
{
    public Task ReadSchemasAsync() => Query(
        $"""
        SELECT n.oid, n.nspname AS name, pg_catalog.pg_get_userbyid(n.nspowner) AS owner
        FROM pg_catalog.pg_namespace n
        WHERE {UserSchema} AND {NotExtensionMember("pg_namespace", "n")}
        """,
        row =>
        {
            var schema = new SchemaObject(row.Oid("oid"), row.String("name"), row.String("owner"));
            Lookups.Schemas[schema.Id.ObjectId] = schema;
            Lookups.SchemasByName[schema.Name] = schema;
            Lookups.Objects.Add(schema);
        });

    public Task ReadExtensionsAsync() => Query(
        """
        SELECT x.oid, x.extname AS name, n.nspname AS schema, x.extversion AS version
        FROM pg_catalog.pg_extension x JOIN pg_catalog.pg_namespace n ON n.oid = x.extnamespace
        WHERE x.oid >= 16384 -- plpgsql comes with initdb; pg_dump leaves it out as well
        """,
        row =>
        {
            var extension = new ExtensionObject(row.Oid("oid"), row.String("name"), row.String("schema"), row.String("version"));
            extension.AddDependency(Lookups.SchemaNamed(extension.ExtensionSchema));
            Lookups.Extensions[extension.Id.ObjectId] = extension;
            Lookups.Objects.Add(extension);
        });

    public Task ReadLargeObjectsAsync() => Query(
        "SELECT l.oid, pg_catalog.pg_get_userbyid(l.lomowner) AS owner FROM pg_catalog.pg_largeobject_metadata l ORDER BY l.oid",
        row =>
        {
            var largeObject = new LargeObjectObject(row.Oid("oid"), row.String("owner"));
            Lookups.LargeObjects.Add(largeObject);
            Lookups.AddOther(largeObject);
        });
}
