using FactoryPulse.Dump.Catalog;
using FactoryPulse.Dump.Dumping;
using FactoryPulse.Dump.Model;

namespace FactoryPulse.Dump.Tests;

public sealed class CopyFormatChooserTests
{
    private const uint Int4 = 23, Int4Array = 1007, RegClass = 2205, TsQuery = 3615, Text = 25;
    private const uint UserEnum = 16500, UserEnumArray = 16501, UserComposite = 16502, UserDomain = 16503, NoSend = 16504;

    private static readonly Dictionary<uint, TypeShape> Shapes = new()
    {
        [Int4] = new('b', 0, 0, HasSend: true, 0, "int4"),
        [Int4Array] = new('b', 0, Int4, HasSend: true, 0, "_int4"),
        [Text] = new('b', 0, 0, HasSend: true, 0, "text"),
        [RegClass] = new('b', 0, 0, HasSend: true, 0, "regclass"),
        [TsQuery] = new('b', 0, 0, HasSend: true, 0, "tsquery"),
        [UserEnum] = new('e', 0, 0, HasSend: true, 0, null),
        [UserEnumArray] = new('b', 0, UserEnum, HasSend: true, 0, null),
        [UserComposite] = new('c', 0, 0, HasSend: true, 16600, null),
        [UserDomain] = new('d', Int4, 0, HasSend: true, 0, null),
        [NoSend] = new('b', 0, 0, HasSend: false, 0, null),
    };

    private static TableObject TableOf(params uint[] columnTypes)
    {
        var table = new TableObject(16700, "public", "t", "owner", unlogged: false, options: null, replicaIdentity: 'd', rowSecurity: false, forceRowSecurity: false);
        for (var i = 0; i < columnTypes.Length; i++)
            table.Columns.Add(new ColumnInfo(i + 1, $"c{i}", "x", false, null, null, null, -1, columnTypes[i]));
        return table;
    }

    [Theory]
    [InlineData(Int4)]
    [InlineData(Int4Array)]
    [InlineData(Text)]
    [InlineData(UserEnum)]
    [InlineData(UserDomain)]
    public void A_table_whose_columns_have_portable_binary_forms_uses_binary_copy(uint type) =>
        new CopyFormatChooser(Shapes).CanUseBinary(TableOf(Int4, type)).Should().BeTrue();

    [Theory]
    [InlineData(RegClass)] // an oid in binary: names are what stays equal between databases
    [InlineData(TsQuery)] // an empty tsquery fails binary input
    [InlineData(UserEnumArray)] // the array header embeds the user type's oid
    [InlineData(UserComposite)] // so does a composite value
    [InlineData(NoSend)]
    [InlineData(99999u)] // unknown to the catalog
    public void One_column_without_a_portable_binary_form_makes_the_table_use_text_copy(uint type) =>
        new CopyFormatChooser(Shapes).CanUseBinary(TableOf(Int4, type)).Should().BeFalse();

    [Fact]
    public void A_table_without_columns_uses_binary_copy() =>
        new CopyFormatChooser(Shapes).CanUseBinary(TableOf()).Should().BeTrue();
}
