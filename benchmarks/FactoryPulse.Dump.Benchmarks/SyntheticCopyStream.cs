using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace FactoryPulse.Dump.Benchmarks;

/// <summary>
/// A deterministic binary COPY stream (PGCOPY header, tuples, trailer) shaped like a typical fact table:
/// <c>(id int8, name text, recorded_at timestamptz, ok bool, comment text NULL, quantity int8 NULL)</c>.
/// </summary>
internal static class SyntheticCopyStream
{
    public const int Rows = 200_000;
    public const short FieldsPerRow = 6;
    private const int Seed = 20_240_601;

    private static readonly byte[] Signature = [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xff, (byte)'\r', (byte)'\n', 0];

    // Mostly ASCII with the odd two-byte UTF-8 letter, as free-text columns tend to be.
    private static readonly byte[][] Letters =
        [.. "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789    -_.,:/äöüß".EnumerateRunes().Select(r => Encoding.UTF8.GetBytes(r.ToString()))];

    private static readonly Lazy<long> LazyLength = new(() => Generate().LongLength);

    /// <summary>Length of <see cref="Generate"/>'s output; generates once per process (used by the MB/s column).</summary>
    public static long Length => LazyLength.Value;

    public static byte[] Generate()
    {
        var random = new Random(Seed);
        var output = new ArrayBufferWriter<byte>(Rows * 240);

        Write(output, Signature);
        WriteInt32(output, 0); // flags
        WriteInt32(output, 0); // header extension length

        // Microseconds since 2000-01-01 (PostgreSQL's timestamp epoch), starting in 2024.
        var timestamp = 24L * 365 * 24 * 3600 * 1_000_000;
        for (var id = 1L; id <= Rows; id++)
        {
            WriteInt16(output, FieldsPerRow);
            WriteInt8Field(output, id);
            WriteTextField(output, random, random.Next(10, 201));
            timestamp += random.Next(1, 5_000_000);
            WriteInt8Field(output, timestamp);
            WriteInt32(output, 1);
            Write(output, [random.Next(10) < 9 ? (byte)1 : (byte)0]);
            if (random.Next(100) < 30)
                WriteInt32(output, -1);
            else
                WriteTextField(output, random, random.Next(10, 201));
            if (random.Next(100) < 15)
                WriteInt32(output, -1);
            else
                WriteInt8Field(output, random.NextInt64(0, 1_000_000));
        }

        WriteInt16(output, -1); // trailer
        return output.WrittenSpan.ToArray();
    }

    private static void WriteTextField(ArrayBufferWriter<byte> output, Random random, int targetBytes)
    {
        var value = output.GetSpan(4 + targetBytes);
        var n = 0;
        while (n < targetBytes)
        {
            var letter = Letters[random.Next(Letters.Length)];
            if (n + letter.Length > targetBytes)
                letter = Letters[0]; // never split a multi-byte letter at the end
            letter.CopyTo(value[(4 + n)..]);
            n += letter.Length;
        }
        BinaryPrimitives.WriteInt32BigEndian(value, n);
        output.Advance(4 + n);
    }

    private static void WriteInt8Field(ArrayBufferWriter<byte> output, long value)
    {
        WriteInt32(output, 8);
        BinaryPrimitives.WriteInt64BigEndian(output.GetSpan(8), value);
        output.Advance(8);
    }

    private static void WriteInt32(ArrayBufferWriter<byte> output, int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(output.GetSpan(4), value);
        output.Advance(4);
    }

    private static void WriteInt16(ArrayBufferWriter<byte> output, short value)
    {
        BinaryPrimitives.WriteInt16BigEndian(output.GetSpan(2), value);
        output.Advance(2);
    }

    private static void Write(ArrayBufferWriter<byte> output, ReadOnlySpan<byte> bytes) => output.Write(bytes);
}
