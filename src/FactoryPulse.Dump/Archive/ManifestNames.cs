using System.Text.Json;
using System.Text.Json.Serialization;
using FactoryPulse.Dump.Model;

namespace FactoryPulse.Dump.Archive;

/// <summary>How a data entry's file holds its rows.</summary>
internal enum DataFormat
{
    /// <summary>COPY … (FORMAT binary).</summary>
    Binary,

    /// <summary>COPY's text format (tables with a column type that has no binary I/O).</summary>
    Text,

    /// <summary>The BLOBS entry: every large object's contents (see LargeObjectCopier).</summary>
    LargeObjects,
}

/// <summary>A constraint's type, as pg_constraint.contype says (the <c>facts.constraintType</c> of an entry).</summary>
[JsonConverter(typeof(ConstraintTypeJsonConverter))]
internal enum ConstraintType
{
    Check,
    PrimaryKey,
    Unique,
    Exclusion,
    ForeignKey,
}

/// <summary>
/// The kinds of object ALTER DEFAULT PRIVILEGES has defaults for (the <c>facts.defaultPrivileges</c> of an entry), each
/// with its pg_default_acl.defaclobjtype (<see cref="DefaultPrivilegeObjectTypes"/>).
/// </summary>
[JsonConverter(typeof(DefaultPrivilegeObjectsJsonConverter))]
internal enum DefaultPrivilegeObjects
{
    Tables,
    Sequences,
    Functions,
    Types,
    Schemas,
    LargeObjects,
}

internal static class DefaultPrivilegeObjectTypes
{
    /// <summary>pg_default_acl.defaclobjtype for the kind.</summary>
    public static char CatalogType(this DefaultPrivilegeObjects objects) => objects switch
    {
        DefaultPrivilegeObjects.Tables => 'r',
        DefaultPrivilegeObjects.Sequences => 'S',
        DefaultPrivilegeObjects.Functions => 'f',
        DefaultPrivilegeObjects.Types => 'T',
        DefaultPrivilegeObjects.Schemas => 'n',
        _ => 'L',
    };

    /// <summary>The kind for a pg_default_acl.defaclobjtype; null for a type this version does not know.</summary>
    public static DefaultPrivilegeObjects? FromCatalogType(char type) => type switch
    {
        'r' => DefaultPrivilegeObjects.Tables,
        'S' => DefaultPrivilegeObjects.Sequences,
        'f' => DefaultPrivilegeObjects.Functions,
        'T' => DefaultPrivilegeObjects.Types,
        'n' => DefaultPrivilegeObjects.Schemas,
        'L' => DefaultPrivilegeObjects.LargeObjects,
        _ => null,
    };
}

/// <summary>
/// The strings the manifest stores for its enums — exactly those written before the enums existed, so archives of every
/// version read. An unknown string is a corrupt manifest (a <see cref="JsonException"/>, reported as an ArchiveException).
/// </summary>
internal static class ManifestNames
{
    public static string Of(Section section) => section switch
    {
        Section.PreData => "pre-data",
        Section.Data => "data",
        _ => "post-data",
    };

    public static bool TryParse(string name, out Section section)
    {
        section = name switch
        {
            "pre-data" => Section.PreData,
            "data" => Section.Data,
            "post-data" => Section.PostData,
            _ => (Section)(-1),
        };
        return (int)section >= 0;
    }

    public static string Of(RestorePass pass) => pass switch
    {
        RestorePass.Main => "main",
        RestorePass.Acl => "acl",
        _ => "post-acl",
    };

    public static bool TryParse(string name, out RestorePass pass)
    {
        pass = name switch
        {
            "main" => RestorePass.Main,
            "acl" => RestorePass.Acl,
            "post-acl" => RestorePass.PostAcl,
            _ => (RestorePass)(-1),
        };
        return (int)pass >= 0;
    }

    public static string Of(DataFormat format) => format switch
    {
        DataFormat.Binary => "binary",
        DataFormat.Text => "text",
        _ => "large-objects",
    };

    public static bool TryParse(string name, out DataFormat format)
    {
        format = name switch
        {
            "binary" => DataFormat.Binary,
            "text" => DataFormat.Text,
            "large-objects" => DataFormat.LargeObjects,
            _ => (DataFormat)(-1),
        };
        return (int)format >= 0;
    }

    public static string Of(DataCompression compression) => compression switch
    {
        DataCompression.Zstd => "zstd",
        DataCompression.Gzip => "gzip",
        _ => "none",
    };

    public static bool TryParse(string name, out DataCompression compression)
    {
        compression = name switch
        {
            "zstd" => DataCompression.Zstd,
            "gzip" => DataCompression.Gzip,
            "none" => DataCompression.None,
            _ => (DataCompression)(-1),
        };
        return (int)compression >= 0;
    }

    public static string Of(ConstraintType type) => type switch
    {
        ConstraintType.Check => "check",
        ConstraintType.PrimaryKey => "primary-key",
        ConstraintType.Unique => "unique",
        ConstraintType.Exclusion => "exclusion",
        _ => "foreign-key",
    };

    // As ALTER DEFAULT PRIVILEGES spells them.
    public static string Of(DefaultPrivilegeObjects objects) => objects switch
    {
        DefaultPrivilegeObjects.Tables => "tables",
        DefaultPrivilegeObjects.Sequences => "sequences",
        DefaultPrivilegeObjects.Functions => "functions",
        DefaultPrivilegeObjects.Types => "types",
        DefaultPrivilegeObjects.Schemas => "schemas",
        _ => "large-objects",
    };

    public static bool TryParse(string name, out DefaultPrivilegeObjects objects)
    {
        objects = name switch
        {
            "tables" => DefaultPrivilegeObjects.Tables,
            "sequences" => DefaultPrivilegeObjects.Sequences,
            "functions" => DefaultPrivilegeObjects.Functions,
            "types" => DefaultPrivilegeObjects.Types,
            "schemas" => DefaultPrivilegeObjects.Schemas,
            "large-objects" => DefaultPrivilegeObjects.LargeObjects,
            _ => (DefaultPrivilegeObjects)(-1),
        };
        return (int)objects >= 0;
    }

    public static bool TryParse(string name, out ConstraintType type)
    {
        type = name switch
        {
            "check" => ConstraintType.Check,
            "primary-key" => ConstraintType.PrimaryKey,
            "unique" => ConstraintType.Unique,
            "exclusion" => ConstraintType.Exclusion,
            "foreign-key" => ConstraintType.ForeignKey,
            _ => (ConstraintType)(-1),
        };
        return (int)type >= 0;
    }
}

/// <summary>Reads and writes one of the manifest's enums as its fixed string; anything else is refused.</summary>
internal abstract class ManifestNameConverter<T> : JsonConverter<T>
    where T : struct, Enum
{
    protected abstract string What { get; }

    protected abstract string Name(T value);

    protected abstract bool TryParse(string name, out T value);

    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
            throw new JsonException($"a {What} must be a string, not {reader.TokenType}");
        var name = reader.GetString()!;
        return TryParse(name, out var value) ? value : throw new JsonException($"unknown {What} '{name}'");
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(Name(value));
}

internal sealed class SectionJsonConverter : ManifestNameConverter<Section>
{
    protected override string What => "section";

    protected override string Name(Section value) => ManifestNames.Of(value);

    protected override bool TryParse(string name, out Section value) => ManifestNames.TryParse(name, out value);
}

internal sealed class RestorePassJsonConverter : ManifestNameConverter<RestorePass>
{
    protected override string What => "restore pass";

    protected override string Name(RestorePass value) => ManifestNames.Of(value);

    protected override bool TryParse(string name, out RestorePass value) => ManifestNames.TryParse(name, out value);
}

internal sealed class ObjectKindJsonConverter : ManifestNameConverter<ObjectKind>
{
    protected override string What => "entry kind";

    protected override string Name(ObjectKind value) => value.TocName();

    protected override bool TryParse(string name, out ObjectKind value) => ObjectKinds.TryParse(name, out value);
}

internal sealed class DataFormatJsonConverter : ManifestNameConverter<DataFormat>
{
    protected override string What => "data format";

    protected override string Name(DataFormat value) => ManifestNames.Of(value);

    protected override bool TryParse(string name, out DataFormat value) => ManifestNames.TryParse(name, out value);
}

internal sealed class DataCompressionJsonConverter : ManifestNameConverter<DataCompression>
{
    protected override string What => "compression";

    protected override string Name(DataCompression value) => ManifestNames.Of(value);

    protected override bool TryParse(string name, out DataCompression value) => ManifestNames.TryParse(name, out value);
}

internal sealed class ConstraintTypeJsonConverter : ManifestNameConverter<ConstraintType>
{
    protected override string What => "constraint type";

    protected override string Name(ConstraintType value) => ManifestNames.Of(value);

    protected override bool TryParse(string name, out ConstraintType value) => ManifestNames.TryParse(name, out value);
}

internal sealed class DefaultPrivilegeObjectsJsonConverter : ManifestNameConverter<DefaultPrivilegeObjects>
{
    protected override string What => "default privilege kind";

    protected override string Name(DefaultPrivilegeObjects value) => ManifestNames.Of(value);

    protected override bool TryParse(string name, out DefaultPrivilegeObjects value) => ManifestNames.TryParse(name, out value);
}
