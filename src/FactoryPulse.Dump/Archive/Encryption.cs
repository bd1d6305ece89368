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

    private sealed class EncryptingStream : Stream
    {
        private readonly Stream _output;
        private readonly AesGcm _aes;
        private readonly byte[] _prefix = RandomNumberGenerator.GetBytes(8);
        private readonly byte[] _plain = new byte[RecordSize];
        private readonly byte[] _cipher = new byte[RecordSize];
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
                    Seal(last: false);
                var take = Math.Min(RecordSize - _filled, buffer.Length);
                buffer[..take].CopyTo(_plain.AsSpan(_filled));
                _filled += take;
                buffer = buffer[take..];
            }
        }

        private void Seal(bool last)
        {
            if (!_headerWritten)
            {
                _output.Write(Magic);
                _output.Write(_prefix);
                _headerWritten = true;
            }
            Span<byte> nonce = stackalloc byte[12];
            Span<byte> associated = stackalloc byte[5];
            Span<byte> tag = stackalloc byte[TagSize];
            Span<byte> length = stackalloc byte[4];
            Nonce(nonce, _prefix, _record);
            Associated(associated, _record, last);
            _aes.Encrypt(nonce, _plain.AsSpan(0, _filled), _cipher.AsSpan(0, _filled), tag, associated);
            BinaryPrimitives.WriteInt32BigEndian(length, _filled);
            _output.Write(length);
            _output.Write(_cipher, 0, _filled);
            _output.Write(tag);
            _record++;
            _filled = 0;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing && !_closed)
            {
                _closed = true;
                Seal(last: true);
                _aes.Dispose();
            }
            base.Dispose(disposing);
        }
    }

    private sealed class DecryptingStream : Stream
    {
        private readonly Stream _input;
        private readonly AesGcm _aes;
        private readonly byte[] _prefix = new byte[8];
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
            if (_position == _available && !Open())
                return 0;
            var take = Math.Min(buffer.Length, _available - _position);
            _plain.AsSpan(_position, take).CopyTo(buffer);
            _position += take;
            return take;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        /// <summary>Reads and authenticates the next record; false after the authenticated last one.</summary>
        private bool Open()
        {
            if (_finished)
                return false;
            if (!_started)
            {
                Span<byte> magic = stackalloc byte[8];
                _input.ReadExactly(magic);
                if (!magic.SequenceEqual(Magic))
                    throw new ArchiveException("A data file is not in the encrypted format the manifest announces.");
                _input.ReadExactly(_prefix);
                _started = true;
            }
            Span<byte> length = stackalloc byte[4];
            Span<byte> tag = stackalloc byte[TagSize];
            Span<byte> nonce = stackalloc byte[12];
            Span<byte> associated = stackalloc byte[5];
            if (_input.ReadAtLeast(length, 4, throwOnEndOfStream: false) < 4)
                throw new ArchiveException("An encrypted data file ends before its last record (truncated).");
            var size = BinaryPrimitives.ReadInt32BigEndian(length);
            if (size is < 0 or > RecordSize)
                throw new ArchiveException("An encrypted data file has a damaged record header.");
            _input.ReadExactly(_cipher.AsSpan(0, size));
            _input.ReadExactly(tag);
            Nonce(nonce, _prefix, _record);
            // A record is the last one only if it authenticates as such: try "more follow" first, then "last".
            Associated(associated, _record, last: false);
            try
            {
                _aes.Decrypt(nonce, _cipher.AsSpan(0, size), tag, _plain.AsSpan(0, size), associated);
            }
            catch (AuthenticationTagMismatchException)
            {
                Associated(associated, _record, last: true);
                try
                {
                    _aes.Decrypt(nonce, _cipher.AsSpan(0, size), tag, _plain.AsSpan(0, size), associated);
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
            if (size > 0)
                return true;
            return !_finished && Open();
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _aes.Dispose();
            base.Dispose(disposing);
        }
    }
}
