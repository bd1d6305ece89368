using System.Buffers.Binary;
using System.Security.Cryptography;
using FactoryPulse.Dump.Archive;

namespace FactoryPulse.Dump.Tests;

/// <summary>
/// The data-file encryption on its own, without a server: records of 64 KiB, each authenticated with its number and a
/// last-record flag, so any change, reordering or truncation is refused.
/// </summary>
public sealed class EncryptionTests
{
    private const int RecordSize = 64 * 1024;
    private const int HeaderSize = 16; // magic (8) + nonce prefix (8)
    private const int RecordOverhead = 4 + 16; // length + tag

    private static readonly byte[] Key = Encryption.DeriveKey("passphrase", new byte[16], 2);

    private static byte[] Plain(int length)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
            bytes[i] = (byte)(i * 7 + i / 251);
        return bytes;
    }

    private static byte[] EncryptInChunks(byte[] plain, int chunk, byte[]? key = null)
    {
        using var output = new MemoryStream();
        using (var encrypting = Encryption.Encrypt(output, key ?? Key))
        {
            for (var offset = 0; offset < plain.Length; offset += chunk)
                encrypting.Write(plain, offset, Math.Min(chunk, plain.Length - offset));
        }
        return output.ToArray();
    }

    private static byte[] DecryptInChunks(byte[] file, int chunk, byte[]? key = null)
    {
        using var input = new MemoryStream(file);
        using var decrypting = Encryption.Decrypt(input, key ?? Key);
        using var result = new MemoryStream();
        var buffer = new byte[chunk];
        int read;
        while ((read = decrypting.Read(buffer, 0, buffer.Length)) > 0)
        {
            read.Should().BeLessThanOrEqualTo(chunk);
            result.Write(buffer, 0, read);
        }
        decrypting.Read(buffer, 0, buffer.Length).Should().Be(0, "the end stays the end");
        return result.ToArray();
    }

    [Fact]
    public void The_key_derivation_and_key_checks_match_their_published_definitions()
    {
        // PBKDF2-HMAC-SHA256("passphrase", 16 zero bytes, 2 rounds, 32 bytes), and HMAC/HKDF over it with the labels in
        // docs/archive-format.md: values computed independently (Python hashlib/hmac).
        Convert.ToHexString(Key).Should().Be("409FCB061A8AFC92A57944591272FCF0E91365467CE28690C86BDD40D6A58E42");
        Encryption.KeyCheck(Key).Should().Be("3E26C13816B53120992964B3B2C00EF1AF42BE1239D27021A8B51664B39AF0D1");
        Encryption.UnsealedKeyCheck(Key).Should().Be("7D3DD19EF50370A644F0D41C2E7F8EC88A54C20592CD3C5E131CE101EE6B72DC");
        Convert.ToHexString(Encryption.ManifestKey(Key)).Should().Be("2A3A6D691016978D9AB2865FE8CD3CBA9430D9D21CCFA64EFB686B2A7B20035C");
        Encryption.NewSalt().Should().HaveCount(16).And.NotEqual(Encryption.NewSalt());
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(1000, 7)]
    [InlineData(RecordSize - 1, 4096)]
    [InlineData(RecordSize, RecordSize)]
    [InlineData(RecordSize + 1, 1000)]
    [InlineData(3 * RecordSize, 50_000)]
    [InlineData(3 * RecordSize + 12_345, 200_000)]
    public void Bytes_written_in_any_chunks_read_back_unchanged_and_records_are_64_KiB(int length, int chunk)
    {
        var plain = Plain(length);

        var file = EncryptInChunks(plain, chunk);

        var records = Math.Max(1, (length + RecordSize - 1) / RecordSize);
        file.Should().HaveCount(HeaderSize + (records * RecordOverhead) + length);
        file.AsSpan(0, 8).ToArray().Should().Equal("FPENC1\0\0"u8.ToArray());
        BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(HeaderSize)).Should().Be(Math.Min(length, RecordSize), "the first record's length");
        DecryptInChunks(file, 1 + (chunk / 3)).Should().Equal(plain);
        DecryptInChunks(file, RecordSize * 2).Should().Equal(plain);
    }

    [Fact]
    public void The_ciphertext_hides_the_plaintext_and_two_files_of_the_same_bytes_differ()
    {
        var plain = Plain(5000);

        var first = EncryptInChunks(plain, 5000);
        var second = EncryptInChunks(plain, 5000);

        first.AsSpan(HeaderSize + 4, 5000).ToArray().Should().NotEqual(plain);
        first.Should().NotEqual(second, "each file has its own random nonce prefix");
        DecryptInChunks(second, 5000).Should().Equal(plain);
    }

    [Fact]
    public async Task Reading_asynchronously_gives_the_same_bytes()
    {
        var plain = Plain(RecordSize + 10);
        using var input = new MemoryStream(EncryptInChunks(plain, 999));
        using var decrypting = Encryption.Decrypt(input, Key);
        using var result = new MemoryStream();

        await decrypting.CopyToAsync(result);

        result.ToArray().Should().Equal(plain);
    }

    [Fact]
    public void The_streams_go_one_way_only()
    {
        using var output = new MemoryStream();
        using var encrypting = Encryption.Encrypt(output, Key);
        encrypting.CanWrite.Should().BeTrue();
        encrypting.CanRead.Should().BeFalse();
        encrypting.CanSeek.Should().BeFalse();
        encrypting.Invoking(stream => stream.Read(new byte[1], 0, 1)).Should().Throw<NotSupportedException>();
        encrypting.Invoking(stream => stream.Seek(0, SeekOrigin.Begin)).Should().Throw<NotSupportedException>();
        encrypting.Invoking(stream => stream.SetLength(0)).Should().Throw<NotSupportedException>();
        encrypting.Invoking(stream => stream.Length).Should().Throw<NotSupportedException>();
        encrypting.Invoking(stream => stream.Position).Should().Throw<NotSupportedException>();
        encrypting.Invoking(stream => stream.Position = 0).Should().Throw<NotSupportedException>();
        encrypting.Flush();
        output.Length.Should().Be(0, "nothing is written before the first record is sealed");

        using var input = new MemoryStream(EncryptInChunks([], 1));
        using var decrypting = Encryption.Decrypt(input, Key);
        decrypting.CanRead.Should().BeTrue();
        decrypting.CanWrite.Should().BeFalse();
        decrypting.CanSeek.Should().BeFalse();
        decrypting.Invoking(stream => stream.Write(new byte[1], 0, 1)).Should().Throw<NotSupportedException>();
        decrypting.Invoking(stream => stream.Seek(0, SeekOrigin.Begin)).Should().Throw<NotSupportedException>();
        decrypting.Invoking(stream => stream.SetLength(0)).Should().Throw<NotSupportedException>();
        decrypting.Invoking(stream => stream.Length).Should().Throw<NotSupportedException>();
        decrypting.Invoking(stream => stream.Position).Should().Throw<NotSupportedException>();
        decrypting.Invoking(stream => stream.Position = 0).Should().Throw<NotSupportedException>();
        decrypting.Flush();
    }

    [Fact]
    public void Disposing_twice_seals_the_last_record_once()
    {
        using var output = new MemoryStream();
        var encrypting = Encryption.Encrypt(output, Key);
        encrypting.Write(Plain(10));
        encrypting.Dispose();
        var length = output.Length;

        encrypting.Dispose();

        output.Length.Should().Be(length);
        length.Should().Be(HeaderSize + RecordOverhead + 10);
    }

    [Fact]
    public void A_wrong_key_is_refused()
    {
        var file = EncryptInChunks(Plain(100), 100);

        var act = () => DecryptInChunks(file, 100, Encryption.DeriveKey("other", new byte[16], 2));

        act.Should().Throw<ArchiveException>().WithMessage("*failed authentication*");
    }

    [Fact]
    public void A_file_without_the_magic_is_refused()
    {
        var file = EncryptInChunks(Plain(100), 100);
        file[0] = (byte)'X';

        var act = () => DecryptInChunks(file, 100);

        act.Should().Throw<ArchiveException>().WithMessage("*not in the encrypted format*");
    }

    [Theory]
    [InlineData(HeaderSize + 4 + 3)] // ciphertext
    [InlineData(HeaderSize + 4 + 100 + 5)] // tag
    [InlineData(10)] // nonce prefix
    public void A_changed_byte_is_refused(int position)
    {
        var file = EncryptInChunks(Plain(100), 100);
        file[position] ^= 0x01;

        var act = () => DecryptInChunks(file, 100);

        act.Should().Throw<ArchiveException>().WithMessage("*failed authentication*");
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(RecordSize + 1)]
    public void A_damaged_record_length_is_refused(int length)
    {
        var file = EncryptInChunks(Plain(100), 100);
        BinaryPrimitives.WriteInt32BigEndian(file.AsSpan(HeaderSize), length);

        var act = () => DecryptInChunks(file, 100);

        act.Should().Throw<ArchiveException>().WithMessage("*damaged record header*");
    }

    [Fact]
    public void A_file_cut_after_a_whole_record_is_refused_as_truncated()
    {
        var file = EncryptInChunks(Plain(RecordSize + 100), 4096);
        var cut = file.AsSpan(0, HeaderSize + RecordOverhead + RecordSize).ToArray();

        var act = () => DecryptInChunks(cut, 4096);

        act.Should().Throw<ArchiveException>().WithMessage("*truncated*");
    }

    [Fact]
    public void A_file_cut_inside_a_record_header_is_refused_as_truncated()
    {
        var file = EncryptInChunks(Plain(RecordSize + 100), 4096);
        var cut = file.AsSpan(0, HeaderSize + RecordOverhead + RecordSize + 2).ToArray();

        var act = () => DecryptInChunks(cut, 4096);

        act.Should().Throw<ArchiveException>().WithMessage("*truncated*");
    }

    [Fact]
    public void Swapped_records_are_refused()
    {
        var file = EncryptInChunks(Plain(3 * RecordSize), RecordSize);
        var recordLength = RecordOverhead + RecordSize;
        var swapped = (byte[])file.Clone();
        file.AsSpan(HeaderSize, recordLength).CopyTo(swapped.AsSpan(HeaderSize + recordLength));
        file.AsSpan(HeaderSize + recordLength, recordLength).CopyTo(swapped.AsSpan(HeaderSize));

        var act = () => DecryptInChunks(swapped, RecordSize);

        act.Should().Throw<ArchiveException>().WithMessage("*failed authentication*");
    }

    [Fact]
    public void Bytes_after_the_last_record_are_never_read()
    {
        var plain = Plain(100);
        var file = EncryptInChunks(plain, 100);

        DecryptInChunks([.. file, .. file.AsSpan(HeaderSize).ToArray()], 100).Should().Equal(plain);
    }

    [Fact]
    public void An_empty_record_that_is_not_the_last_is_skipped()
    {
        // The writer never makes one, but the format allows it: build a file by hand of an empty record 0 and a last record 1.
        var prefix = new byte[8];
        var file = new MemoryStream();
        file.Write("FPENC1\0\0"u8);
        file.Write(prefix);
        using var aes = new AesGcm(Key, 16);
        WriteRecord(file, aes, prefix, 0, last: false, []);
        WriteRecord(file, aes, prefix, 1, last: true, [1, 2, 3]);

        DecryptInChunks(file.ToArray(), 10).Should().Equal(new byte[] { 1, 2, 3 });
    }

    [Fact]
    public void An_empty_last_record_ends_the_file()
    {
        var prefix = new byte[8];
        var file = new MemoryStream();
        file.Write("FPENC1\0\0"u8);
        file.Write(prefix);
        using var aes = new AesGcm(Key, 16);
        WriteRecord(file, aes, prefix, 0, last: false, [4, 5]);
        WriteRecord(file, aes, prefix, 1, last: true, []);
        WriteRecord(file, aes, prefix, 2, last: true, [6]);

        DecryptInChunks(file.ToArray(), 10).Should().Equal(new byte[] { 4, 5 });
    }

    private static void WriteRecord(Stream file, AesGcm aes, byte[] prefix, uint record, bool last, byte[] plain)
    {
        var nonce = new byte[12];
        prefix.CopyTo(nonce, 0);
        BinaryPrimitives.WriteUInt32BigEndian(nonce.AsSpan(8), record);
        var associated = new byte[5];
        BinaryPrimitives.WriteUInt32BigEndian(associated, record);
        associated[4] = last ? (byte)1 : (byte)0;
        var cipher = new byte[plain.Length];
        var tag = new byte[16];
        aes.Encrypt(nonce, plain, cipher, tag, associated);
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, plain.Length);
        file.Write(length);
        file.Write(cipher);
        file.Write(tag);
    }

    [Fact]
    public void Sealed_messages_open_only_with_the_same_key_and_associated_data()
    {
        var key = Encryption.ManifestKey(Key);
        byte[] plain = [1, 2, 3, 4, 5];
        byte[] associated = [9, 9];

        var message = Encryption.SealMessage(key, plain, associated);

        message.Should().HaveCount(12 + plain.Length + 16);
        Encryption.OpenMessage(key, message, associated).Should().Equal(plain);
        Encryption.OpenMessage(key, Encryption.SealMessage(key, [], associated), associated).Should().BeEmpty();
        Encryption.SealMessage(key, plain, associated).Should().NotEqual(message, "each message has a random nonce");
        var wrongAssociated = () => Encryption.OpenMessage(key, message, [9, 8]);
        wrongAssociated.Should().Throw<ArchiveException>().WithMessage("*failed authentication*").WithInnerException<AuthenticationTagMismatchException>();
        var wrongKey = () => Encryption.OpenMessage(Key, message, associated);
        wrongKey.Should().Throw<ArchiveException>().WithMessage("*failed authentication*");
        var cut = () => Encryption.OpenMessage(key, message.AsSpan(0, 27).ToArray(), associated);
        cut.Should().Throw<ArchiveException>().WithMessage("*cut short*");
        var shortest = () => Encryption.OpenMessage(key, message.AsSpan(0, 28).ToArray(), associated);
        shortest.Should().Throw<ArchiveException>().WithMessage("*failed authentication*", "28 bytes are a whole (empty) message that fails only its tag");
    }
    [Theory]
    [InlineData(0, 1000)]
    [InlineData(RecordSize, 4096)]
    [InlineData(3 * RecordSize + 17, 50_000)]
    public async Task Async_writes_and_reads_never_call_the_synchronous_side_of_the_underlying_stream(int length, int chunk)
    {
        // An object-store upload or download behind these streams must not be driven by blocking calls.
        var plain = Plain(length);
        var sink = new AsyncOnlyStream(new MemoryStream());
        var encrypting = Encryption.Encrypt(sink, Key);
        await using (encrypting.ConfigureAwait(false))
        {
            for (var offset = 0; offset < plain.Length; offset += chunk)
                await encrypting.WriteAsync(plain.AsMemory(offset, Math.Min(chunk, plain.Length - offset)));
        }
        var file = ((MemoryStream)sink.Inner).ToArray();
        var records = Math.Max(1, (length + RecordSize - 1) / RecordSize);
        file.Should().HaveCount(HeaderSize + length + records * RecordOverhead);
        DecryptInChunks(file, 7000).Should().Equal(plain, "the async writer writes the same format the sync reader reads");

        var source = new AsyncOnlyStream(new MemoryStream(EncryptInChunks(plain, 3000)));
        var decrypting = Encryption.Decrypt(source, Key);
        await using (decrypting.ConfigureAwait(false))
        {
            using var result = new MemoryStream();
            var buffer = new byte[chunk];
            int read;
            while ((read = await decrypting.ReadAsync(buffer)) > 0)
                result.Write(buffer, 0, read);
            result.ToArray().Should().Equal(plain);
        }
    }

    [Fact]
    public async Task Async_reads_refuse_a_changed_byte_and_a_cut_file_like_sync_reads()
    {
        var file = EncryptInChunks(Plain(2 * RecordSize + 5), 9000);
        var changed = (byte[])file.Clone();
        changed[HeaderSize + 4 + 100] ^= 1;
        var cut = file.AsSpan(0, HeaderSize + RecordSize + RecordOverhead).ToArray();
        var wrongMagic = (byte[])file.Clone();
        wrongMagic[0] ^= 1;

        (await ReadAllAsync(changed).Awaiting(t => t).Should().ThrowAsync<ArchiveException>()).WithMessage("*failed authentication*");
        (await ReadAllAsync(cut).Awaiting(t => t).Should().ThrowAsync<ArchiveException>()).WithMessage("*truncated*");
        (await ReadAllAsync(wrongMagic).Awaiting(t => t).Should().ThrowAsync<ArchiveException>()).WithMessage("*not in the encrypted format*");
    }

    private static async Task<byte[]> ReadAllAsync(byte[] file)
    {
        var decrypting = Encryption.Decrypt(new AsyncOnlyStream(new MemoryStream(file)), Key);
        await using (decrypting.ConfigureAwait(false))
        {
            using var result = new MemoryStream();
            await decrypting.CopyToAsync(result);
            return result.ToArray();
        }
    }

    /// <summary>A stream whose synchronous reads and writes fail: proves a caller stays on the async path.</summary>
    private sealed class AsyncOnlyStream(Stream inner) : Stream
    {
        public Stream Inner => inner;
        public override bool CanRead => inner.CanRead;
        public override bool CanSeek => false;
        public override bool CanWrite => inner.CanWrite;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new InvalidOperationException("synchronous read");
        public override int Read(Span<byte> buffer) => throw new InvalidOperationException("synchronous read");
        public override void Write(byte[] buffer, int offset, int count) => throw new InvalidOperationException("synchronous write");
        public override void Write(ReadOnlySpan<byte> buffer) => throw new InvalidOperationException("synchronous write");
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
