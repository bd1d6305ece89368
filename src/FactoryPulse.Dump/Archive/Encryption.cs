using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace FactoryPulse.Dump.Archive;

/// <summary>
/// Data files at rest: AES-256-GCM in 64 KiB records. The key comes from a passphrase through PBKDF2-HMAC-SHA256
/// (600 000 rounds, salt per archive). Each record's nonce is the file's random 8-byte prefix plus the record number,
/// and the record number and a last-record flag are authenticated, so reordering, truncation and tampering all fail.
/// Layout: "FPENC1\0\0" | nonce prefix (8) | records of [plaintext length (4, big-endian) | ciphertext | tag (16)].
/// The manifest's table of contents is sealed as one message under a key derived from the same one (see ManifestSeal).
/// </summary>
internal static class Encryption
{
    public const string Algorithm = "aes-256-gcm";
    public const string KeyDerivation = "pbkdf2-sha256";
    public const int Iterations = 600_000;
    private const int RecordSize = 64 * 1024;
    private const int TagSize = 16;
    private static readonly byte[] Magic = "FPENC1\0\0"u8.ToArray();

    public static byte[] NewSalt() => RandomNumberGenerator.GetBytes(16);

    public static byte[] DeriveKey(string passphrase, byte[] salt, int iterations = Iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(passphrase, salt, iterations, HashAlgorithmName.SHA256, 32);

    /// <summary>Rounds above this are refused before any work: a manifest cannot make a reader spin for hours.</summary>
    public const int MaxIterations = 10_000_000;

    private const int NonceSize = 12;

    /// <summary>
    /// A value stored in the manifest that only the right key reproduces: a wrong key fails before any file is read.
    /// Archives with a sealed manifest use their own label, so nobody without the key can rewrite one into the older
    /// form with a readable manifest (that form's check, <see cref="UnsealedKeyCheck"/>, is never written for them).
    /// </summary>
    public static string KeyCheck(byte[] key) => Convert.ToHexString(HMACSHA256.HashData(key, "FactoryPulse.Dump key check, sealed manifest"u8));

    /// <summary>The key check of encrypted archives written before manifests were sealed (format version 1).</summary>
    public static string UnsealedKeyCheck(byte[] key) => Convert.ToHexString(HMACSHA256.HashData(key, "FactoryPulse.Dump key check"u8));

    /// <summary>The manifest's own key, derived from the archive key (HKDF-SHA256) so its random nonces never meet the data files' nonces.</summary>
    public static byte[] ManifestKey(byte[] key) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, key, 32, salt: [], info: "FactoryPulse.Dump manifest seal"u8.ToArray());

    /// <summary>AES-256-GCM of a whole message under a random nonce: nonce (12) | ciphertext | tag (16).</summary>
    public static byte[] SealMessage(byte[] key, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associated)
    {
        var message = new byte[NonceSize + plaintext.Length + TagSize];
        var nonce = message.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plaintext, message.AsSpan(NonceSize, plaintext.Length), message.AsSpan(NonceSize + plaintext.Length), associated);
        return message;
    }

    /// <summary>The plaintext of <see cref="SealMessage"/>'s output, or an <see cref="ArchiveException"/> when any byte or the associated data differs.</summary>
    public static byte[] OpenMessage(byte[] key, ReadOnlySpan<byte> message, ReadOnlySpan<byte> associated)
    {
        if (message.Length < NonceSize + TagSize)
            throw new ArchiveException("The archive's sealed table of contents is cut short.");
        var plaintext = new byte[message.Length - NonceSize - TagSize];
        using var aes = new AesGcm(key, TagSize);
        try
        {
            aes.Decrypt(message[..NonceSize], message[NonceSize..^TagSize], message[^TagSize..], plaintext, associated);
        }
        catch (AuthenticationTagMismatchException exception)
        {
            throw new ArchiveException("The archive's sealed table of contents failed authentication: its manifest was altered or comes from another archive. Nothing in it is used.", exception);
        }
        return plaintext;
    }

    public static Stream Encrypt(Stream output, byte[] key) => new EncryptingStream(output, key);

    public static Stream Decrypt(Stream input, byte[] key) => new DecryptingStream(input, key);

    private static void Nonce(Span<byte> nonce, ReadOnlySpan<byte> prefix, uint record)
    {
        prefix.CopyTo(nonce);
        BinaryPrimitives.WriteUInt32BigEndian(nonce[8..], record);
    }

    private static void Associated(Span<byte> data, uint record, bool last)
    {
        BinaryPrimitives.WriteUInt32BigEndian(data, record);
        data[4] = last ? (byte)1 : (byte)0;
    }

    /// <summary>
    /// Encrypts what is written in 64 KiB records. Sync and async writes share one framing step and differ only in how
    /// the finished frame reaches the output, so an object-store upload is never driven by a blocking call.
    /// </summary>
    private sealed class EncryptingStream : Stream
    {
        private const int HeaderSize = 16;
        private readonly Stream _output;
        private readonly AesGcm _aes;
        private readonly byte[] _prefix = RandomNumberGenerator.GetBytes(8);
        private readonly byte[] _plain = new byte[RecordSize];
        // Header (first frame only) | length | ciphertext | tag: one write per record.
        private readonly byte[] _frame = new byte[HeaderSize + 4 + RecordSize + TagSize];
        private int _filled;
        private uint _record;
        private bool _headerWritten;
        private bool _closed;

        public EncryptingStream(Stream output, byte[] key)
        {
            _output = output;
            _aes = new AesGcm(key, TagSize);
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            while (buffer.Length > 0)
            {
                // A full record is sealed only when more follows, so the last one can carry the last-record flag.
                if (_filled == RecordSize)
                    _output.Write(_frame, 0, Seal(last: false));
                buffer = buffer[Fill(buffer)..];
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (buffer.Length > 0)
            {
                if (_filled == RecordSize)
                    await _output.WriteAsync(_frame.AsMemory(0, Seal(last: false)), cancellationToken).ConfigureAwait(false);
                buffer = buffer[Fill(buffer.Span)..];
            }
        }

        private int Fill(ReadOnlySpan<byte> buffer)
        {
            var take = Math.Min(RecordSize - _filled, buffer.Length);
            buffer[..take].CopyTo(_plain.AsSpan(_filled));
            _filled += take;
            return take;
        }

        /// <summary>Encrypts the filled record into the frame buffer; returns the frame's length.</summary>
        private int Seal(bool last)
        {
            var at = 0;
            if (!_headerWritten)
            {
                Magic.CopyTo(_frame, 0);
                _prefix.CopyTo(_frame, 8);
                at = HeaderSize;
                _headerWritten = true;
            }
            Span<byte> nonce = stackalloc byte[NonceSize];
            Span<byte> associated = stackalloc byte[5];
            Nonce(nonce, _prefix, _record);
            Associated(associated, _record, last);
            BinaryPrimitives.WriteInt32BigEndian(_frame.AsSpan(at, 4), _filled);
            _aes.Encrypt(nonce, _plain.AsSpan(0, _filled), _frame.AsSpan(at + 4, _filled), _frame.AsSpan(at + 4 + _filled, TagSize), associated);
            var length = at + 4 + _filled + TagSize;
            _record++;
            _filled = 0;
            return length;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing && !_closed)
            {
                _closed = true;
                _output.Write(_frame, 0, Seal(last: true));
                _aes.Dispose();
            }
            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            if (!_closed)
            {
                _closed = true;
                await _output.WriteAsync(_frame.AsMemory(0, Seal(last: true))).ConfigureAwait(false);
                _aes.Dispose();
            }
            await base.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Decrypts and authenticates record by record; sync and async reads share the checks. The input is read ahead
    /// through one pooled 1 MiB buffer (records are 64 KiB, their headers a few bytes): a new BufferedStream per file
    /// was a 1 MiB large-object-heap array per data file read.
    /// </summary>
    private sealed class DecryptingStream : Stream
    {
        private const int ReadAheadSize = 1 << 20;

        private readonly Stream _input;
        private byte[]? _readAhead;
        private int _readStart;
        private int _readEnd;
        private readonly AesGcm _aes;
        private readonly byte[] _magic = new byte[8];
        private readonly byte[] _prefix = new byte[8];
        private readonly byte[] _length = new byte[4];
        private readonly byte[] _tag = new byte[TagSize];
        private readonly byte[] _plain = new byte[RecordSize];
        private readonly byte[] _cipher = new byte[RecordSize];
        private int _available;
        private int _position;
        private uint _record;
        private bool _started;
        private bool _finished;

        public DecryptingStream(Stream input, byte[] key)
        {
            _input = input;
            _aes = new AesGcm(key, TagSize);
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            while (_position == _available)
            {
                if (_finished)
                    return 0;
                if (!_started)
                {
                    ReadInput(_magic, _magic.Length);
                    CheckMagic();
                    ReadInput(_prefix, _prefix.Length);
                    _started = true;
                }
                var size = RecordLength(ReadInput(_length, 0));
                ReadInput(_cipher.AsSpan(0, size), size);
                ReadInput(_tag, _tag.Length);
                Open(size);
            }
            return Take(buffer);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (_position == _available)
            {
                if (_finished)
                    return 0;
                if (!_started)
                {
                    await ReadInputAsync(_magic, _magic.Length, cancellationToken).ConfigureAwait(false);
                    CheckMagic();
                    await ReadInputAsync(_prefix, _prefix.Length, cancellationToken).ConfigureAwait(false);
                    _started = true;
                }
                var size = RecordLength(await ReadInputAsync(_length, 0, cancellationToken).ConfigureAwait(false));
                await ReadInputAsync(_cipher.AsMemory(0, size), size, cancellationToken).ConfigureAwait(false);
                await ReadInputAsync(_tag, _tag.Length, cancellationToken).ConfigureAwait(false);
                Open(size);
            }
            return Take(buffer.Span);
        }

        /// <summary>
        /// Fills <paramref name="target"/> from the read-ahead buffer, refilling it from the input; returns the bytes
        /// copied, fewer only at the input's end, which is an <see cref="EndOfStreamException"/> before
        /// <paramref name="required"/> bytes.
        /// </summary>
        private int ReadInput(Span<byte> target, int required)
        {
            var copied = 0;
            while (copied < target.Length)
            {
                if (_readStart == _readEnd)
                {
                    _readAhead ??= ArrayPool<byte>.Shared.Rent(ReadAheadSize);
                    _readStart = 0;
                    _readEnd = _input.Read(_readAhead, 0, ReadAheadSize);
                    if (_readEnd == 0)
                        break;
                }
                copied += CopyReadAhead(target[copied..]);
            }
            return copied < required ? throw new EndOfStreamException() : copied;
        }

        private async ValueTask<int> ReadInputAsync(Memory<byte> target, int required, CancellationToken cancellationToken)
        {
            var copied = 0;
            while (copied < target.Length)
            {
                if (_readStart == _readEnd)
                {
                    _readAhead ??= ArrayPool<byte>.Shared.Rent(ReadAheadSize);
                    _readStart = 0;
                    _readEnd = await _input.ReadAsync(_readAhead.AsMemory(0, ReadAheadSize), cancellationToken).ConfigureAwait(false);
                    if (_readEnd == 0)
                        break;
                }
                copied += CopyReadAhead(target.Span[copied..]);
            }
            return copied < required ? throw new EndOfStreamException() : copied;
        }

        private int CopyReadAhead(Span<byte> target)
        {
            var take = Math.Min(target.Length, _readEnd - _readStart);
            _readAhead.AsSpan(_readStart, take).CopyTo(target);
            _readStart += take;
            return take;
        }

        private int Take(Span<byte> buffer)
        {
            var take = Math.Min(buffer.Length, _available - _position);
            _plain.AsSpan(_position, take).CopyTo(buffer);
            _position += take;
            return take;
        }

        private void CheckMagic()
        {
            if (!_magic.AsSpan().SequenceEqual(Magic))
                throw new ArchiveException("A data file is not in the encrypted format the manifest announces.");
        }

        private int RecordLength(int read)
        {
            if (read < 4)
                throw new ArchiveException("An encrypted data file ends before its last record (truncated).");
            var size = BinaryPrimitives.ReadInt32BigEndian(_length);
            if (size is < 0 or > RecordSize)
                throw new ArchiveException("An encrypted data file has a damaged record header.");
            return size;
        }

        /// <summary>Authenticates and decrypts the record just read; an empty one leaves nothing to take.</summary>
        private void Open(int size)
        {
            Span<byte> nonce = stackalloc byte[NonceSize];
            Span<byte> associated = stackalloc byte[5];
            Nonce(nonce, _prefix, _record);
            // A record is the last one only if it authenticates as such: try "more follow" first, then "last".
            Associated(associated, _record, last: false);
            try
            {
                _aes.Decrypt(nonce, _cipher.AsSpan(0, size), _tag, _plain.AsSpan(0, size), associated);
            }
            catch (AuthenticationTagMismatchException)
            {
                Associated(associated, _record, last: true);
                try
                {
                    _aes.Decrypt(nonce, _cipher.AsSpan(0, size), _tag, _plain.AsSpan(0, size), associated);
                }
                catch (AuthenticationTagMismatchException exception)
                {
                    throw new ArchiveException("An encrypted data file failed authentication: wrong key or altered bytes.", exception);
                }
                _finished = true;
            }
            _record++;
            _available = size;
            _position = 0;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _aes.Dispose();
                if (_readAhead is not null)
                {
                    ArrayPool<byte>.Shared.Return(_readAhead);
                    _readAhead = null;
                }
            }
            base.Dispose(disposing);
        }
    }
}
