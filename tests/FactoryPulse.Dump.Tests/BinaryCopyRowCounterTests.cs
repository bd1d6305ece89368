using System.Buffers.Binary;
using FactoryPulse.Dump.Data;

namespace FactoryPulse.Dump.Tests;

public sealed class BinaryCopyRowCounterTests
{
    // "PGCOPY\n\xff\r\n\0"
    private static readonly byte[] Signature = [0x50, 0x47, 0x43, 0x4F, 0x50, 0x59, 0x0A, 0xFF, 0x0D, 0x0A, 0x00];

    /// <summary>Builds a binary COPY stream by hand: header, tuples (null field = null array), optional trailer.</summary>
    private sealed class CopyStreamBuilder
    {
        private readonly List<byte> _bytes = [];

        public CopyStreamBuilder(int extensionLength = 0, int flags = 0)
        {
            _bytes.AddRange(Signature);
            Int32(flags);
            Int32(extensionLength);
            for (var i = 0; i < extensionLength; i++)
                _bytes.Add((byte)(0xA0 + (i % 16)));
        }

        public CopyStreamBuilder Row(params byte[]?[] fields)
        {
            Int16((short)fields.Length);
            foreach (var field in fields)
            {
                if (field is null)
                {
                    Int32(-1);
                }
                else
                {
                    Int32(field.Length);
                    _bytes.AddRange(field);
                }
            }
            return this;
        }

        public CopyStreamBuilder Int16(short value)
        {
            Span<byte> buffer = stackalloc byte[2];
            BinaryPrimitives.WriteInt16BigEndian(buffer, value);
            _bytes.AddRange(buffer.ToArray());
            return this;
        }

        public CopyStreamBuilder Int32(int value)
        {
            Span<byte> buffer = stackalloc byte[4];
            BinaryPrimitives.WriteInt32BigEndian(buffer, value);
            _bytes.AddRange(buffer.ToArray());
            return this;
        }

        public CopyStreamBuilder Raw(params byte[] bytes)
        {
            _bytes.AddRange(bytes);
            return this;
        }

        public CopyStreamBuilder Trailer() => Int16(-1);

        public byte[] ToArray() => [.. _bytes];
    }

    private static byte[] Int4(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] Text(string value) => System.Text.Encoding.UTF8.GetBytes(value);

    /// <summary>A stream whose data bytes look like framing (0xFF, 0x00 …), so a counter that reads values would go wrong.</summary>
    private static byte[] TrickyStream(int extensionLength)
    {
        var builder = new CopyStreamBuilder(extensionLength);
        builder.Row(Int4(1), Text("plain"), null);
        builder.Row(Int4(-1), [0xFF, 0xFF], [0xFF, 0xFF, 0xFF, 0xFF]);
        builder.Row(null, null, null);
        builder.Row(Int4(3), [], Text("ünïcödé; \"quoted\""));
        builder.Row(new byte[300], Text("x"), [0x00, 0x00]);
        builder.Row(); // zero-field tuple
        builder.Row(Int4(0x7FFF_FFFF), Text("last"), new byte[70_000]);
        return builder.Trailer().ToArray();
    }

    private static BinaryCopyRowCounter FeedInChunks(byte[] stream, IEnumerable<int> chunkSizes)
    {
        var counter = new BinaryCopyRowCounter();
        var offset = 0;
        foreach (var size in chunkSizes)
        {
            if (offset >= stream.Length)
                break;
            var length = Math.Min(size, stream.Length - offset);
            counter.Feed(stream.AsSpan(offset, length));
            offset += length;
        }
        if (offset < stream.Length)
            counter.Feed(stream.AsSpan(offset));
        return counter;
    }

    private static IEnumerable<int> RandomSizes(int seed, int max)
    {
        var random = new Random(seed);
        while (true)
            yield return random.Next(0, max + 1); // zero-length feeds must be harmless too
    }

    [Fact]
    public void Counting_an_empty_table_gives_zero_rows_and_sees_the_trailer()
    {
        var stream = new CopyStreamBuilder().Trailer().ToArray();
        var counter = new BinaryCopyRowCounter();

        counter.Feed(stream);

        counter.Rows.Should().Be(0);
        counter.SawTrailer.Should().BeTrue();
    }

    [Fact]
    public void Counting_a_whole_stream_in_one_feed_counts_every_tuple()
    {
        var stream = TrickyStream(extensionLength: 0);
        var counter = new BinaryCopyRowCounter();

        counter.Feed(stream);

        counter.Rows.Should().Be(7);
        counter.SawTrailer.Should().BeTrue();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(4096)]
    public void Counting_skips_a_header_extension_of_any_length(int extensionLength)
    {
        var stream = TrickyStream(extensionLength);

        var whole = FeedInChunks(stream, [stream.Length]);
        var byteByByte = FeedInChunks(stream, Enumerable.Repeat(1, stream.Length));

        whole.Rows.Should().Be(7);
        whole.SawTrailer.Should().BeTrue();
        byteByByte.Rows.Should().Be(7);
        byteByByte.SawTrailer.Should().BeTrue();
    }

    [Fact]
    public void Counting_byte_by_byte_gives_the_same_result()
    {
        var stream = TrickyStream(extensionLength: 3);

        var counter = FeedInChunks(stream, Enumerable.Repeat(1, stream.Length));

        counter.Rows.Should().Be(7);
        counter.SawTrailer.Should().BeTrue();
    }

    [Theory]
    [InlineData(1, 3)]
    [InlineData(2, 7)]
    [InlineData(3, 16)]
    [InlineData(4, 100)]
    [InlineData(5, 5000)]
    [InlineData(6, 100_000)]
    public void Counting_random_chunk_splits_gives_the_same_result(int seed, int maxChunk)
    {
        foreach (var extension in new[] { 0, 2, 33 })
        {
            var stream = TrickyStream(extension);
            for (var round = 0; round < 20; round++)
            {
                var counter = FeedInChunks(stream, RandomSizes((seed * 1000) + round, maxChunk));

                counter.Rows.Should().Be(7, "seed {0}, round {1}, extension {2}", seed, round, extension);
                counter.SawTrailer.Should().BeTrue("seed {0}, round {1}, extension {2}", seed, round, extension);
            }
        }
    }

    [Fact]
    public void Counting_every_two_way_split_gives_the_same_result()
    {
        var stream = new CopyStreamBuilder(extensionLength: 2)
            .Row(Int4(1), null, Text("ab"))
            .Row()
            .Row([null])
            .Trailer()
            .ToArray();

        for (var cut = 0; cut <= stream.Length; cut++)
        {
            var counter = new BinaryCopyRowCounter();
            counter.Feed(stream.AsSpan(0, cut));
            counter.Feed(stream.AsSpan(cut));

            counter.Rows.Should().Be(3, "split at {0}", cut);
            counter.SawTrailer.Should().BeTrue("split at {0}", cut);
        }
    }

    [Fact]
    public void Counting_a_stream_cut_short_does_not_see_the_trailer()
    {
        var stream = TrickyStream(extensionLength: 0);

        for (var cut = 0; cut < stream.Length; cut += 1 + (cut / 50))
        {
            var counter = new BinaryCopyRowCounter();
            counter.Feed(stream.AsSpan(0, cut));

            counter.SawTrailer.Should().BeFalse("the stream was cut at {0} of {1} bytes", cut, stream.Length);
            counter.Rows.Should().BeLessThanOrEqualTo(7);
        }
    }

    [Fact]
    public void Counting_counts_a_row_as_soon_as_its_field_count_arrives()
    {
        var header = new CopyStreamBuilder().ToArray();
        var counter = new BinaryCopyRowCounter();

        counter.Feed(header);
        counter.Rows.Should().Be(0);
        counter.Feed(new CopyStreamBuilder().Int16(1).ToArray().AsSpan(header.Length));
        counter.Rows.Should().Be(1);
        counter.SawTrailer.Should().BeFalse();
    }

    [Fact]
    public void Counting_a_fresh_counter_with_nothing_fed_has_no_rows_and_no_trailer()
    {
        var counter = new BinaryCopyRowCounter();

        counter.Feed([]);

        counter.Rows.Should().Be(0);
        counter.SawTrailer.Should().BeFalse();
    }

    [Fact]
    public void Counting_data_after_the_trailer_throws_in_the_same_chunk()
    {
        var stream = new CopyStreamBuilder().Row(Int4(1)).Trailer().Raw(0x00).ToArray();
        var counter = new BinaryCopyRowCounter();

        var act = () => counter.Feed(stream);

        act.Should().Throw<InvalidDataException>().WithMessage("*after its trailer*");
    }

    [Fact]
    public void Counting_data_after_the_trailer_throws_in_a_later_chunk()
    {
        var stream = new CopyStreamBuilder().Row(Int4(1)).Trailer().ToArray();
        var counter = new BinaryCopyRowCounter();
        counter.Feed(stream);

        var act = () => counter.Feed(new byte[] { 0xFF, 0xFF });

        act.Should().Throw<InvalidDataException>().WithMessage("*after its trailer*");
        counter.Feed([]); // an empty read after the end is fine
    }

    [Theory]
    [InlineData(-2)]
    [InlineData(-100)]
    [InlineData(int.MinValue)]
    public void Counting_a_negative_field_length_other_than_null_throws(int length)
    {
        var stream = new CopyStreamBuilder().Int16(1).Int32(length).ToArray();

        var whole = () => new BinaryCopyRowCounter().Feed(stream);
        var byteByByte = () =>
        {
            var counter = new BinaryCopyRowCounter();
            foreach (var b in stream)
                counter.Feed([b]);
        };

        whole.Should().Throw<InvalidDataException>().WithMessage($"*{length}*");
        byteByByte.Should().Throw<InvalidDataException>();
    }

    [Theory]
    [InlineData(-2)]
    [InlineData(short.MinValue)]
    public void Counting_a_negative_field_count_other_than_the_trailer_throws(short fields)
    {
        var stream = new CopyStreamBuilder().Int16(fields).ToArray();
        var counter = new BinaryCopyRowCounter();

        var act = () => counter.Feed(stream);

        act.Should().Throw<InvalidDataException>().WithMessage($"*{fields}*");
    }

    [Fact]
    public void Counting_many_rows_across_chunks_is_exact()
    {
        var builder = new CopyStreamBuilder(extensionLength: 7);
        for (var i = 0; i < 10_000; i++)
            builder.Row(Int4(i), i % 3 == 0 ? null : Text(new string('x', i % 17)));
        var stream = builder.Trailer().ToArray();

        var counter = FeedInChunks(stream, RandomSizes(42, 8191));

        counter.Rows.Should().Be(10_000);
        counter.SawTrailer.Should().BeTrue();
    }
}
