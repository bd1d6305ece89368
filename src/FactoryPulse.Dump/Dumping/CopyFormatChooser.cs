using FactoryPulse.Dump.Catalog;
using FactoryPulse.Dump.Model;

namespace FactoryPulse.Dump.Dumping;

/// <summary>
/// Chooses binary or text COPY for a table's data from the catalog's type facts. Binary COPY embeds type oids in arrays
/// and composites, which differ between databases for user types, and types without a send function have no binary
/// form: a table with such a column goes through text COPY. So do the built-in reg* types (their binary form is an oid,
/// while names are what stays equal between databases) and tsquery (an empty tsquery fails binary input).
/// </summary>
internal sealed class CopyFormatChooser(IReadOnlyDictionary<uint, TypeShape> typeShapes)
{
    /// <summary>True when every column of <paramref name="table"/> has a portable binary form.</summary>
    public bool CanUseBinary(TableObject table)
    {
        var safe = true;
        foreach (var column in table.Columns)
            safe &= IsBinarySafe(column.TypeOid);
        return safe;
    }

    private bool IsBinarySafe(uint typeOid)
    {
        for (var depth = 0; depth < 32; depth++)
        {
            if (!typeShapes.TryGetValue(typeOid, out var shape) || !HasPortableSend(shape))
                return false;
            switch (shape.Type)
            {
                case 'd':
                    typeOid = shape.BaseType;
                    continue;
                case 'c' or 'p':
                    return false;
                case 'e':
                    return true; // an enum travels as its label
            }
            if (shape.Element != 0)
            {
                // An array header holds the element oid: only built-in arrays of built-in elements are portable.
                return typeOid < CatalogClasses.FirstNormalObjectId && shape.Element < CatalogClasses.FirstNormalObjectId && IsBinarySafe(shape.Element);
            }
            return typeOid < CatalogClasses.FirstNormalObjectId;
        }
        return false;
    }

    private static bool HasPortableSend(TypeShape shape) =>
        shape.HasSend && !(shape.BuiltInName is { } name && (name.StartsWith("reg", StringComparison.Ordinal) || name == "tsquery"));
}
