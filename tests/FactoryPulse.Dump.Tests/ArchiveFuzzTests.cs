using System.Text;
using System.Text.Json;
using CsCheck;
using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Model;
using FactoryPulse.Dump.Data;

namespace FactoryPulse.Dump.Tests;

/// <summary>
/// Property tests of the readers of untrusted bytes: whatever a manifest or data file holds, reading it either works
/// or fails with <see cref="ArchiveException"/> (or, for COPY framing, InvalidDataException) — never another exception
/// and never unbounded work. FPDUMP_FUZZ_ITERATIONS raises the count for longer runs.
/// </summary>
public sealed class ArchiveFuzzTests : IDisposable
{
    private static readonly long Iterations = long.TryParse(Environment.GetEnvironmentVariable("FPDUMP_FUZZ_ITERATIONS"), out var n) ? n : 300;

    private readonly string _root = Directory.CreateTempSubdirectory("fpdump-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>Format 2 (statement lists), or format 1 (SQL as one text), whose mutations also go through the legacy upgrade.</summary>
    private static string ValidManifestJson(int formatVersion)
    {
        var manifest = new ArchiveManifest
        {
            FormatVersion = formatVersion,
            ToolVersion = "0.1.0",
            ServerVersion = "15.18",
            ServerVersionNumber = 150018,
            Database = "shop",
            Encoding = "UTF8",
            Complete = true,
            Entries =
            [
                new TocEntry { DumpId = 1, Section = Section.PreData, Pass = RestorePass.Main, Kind = ObjectKind.Schema, Name = "shop", Owner = "o", Definition = "CREATE SCHEMA shop;\n" },
                new TocEntry
                {
                    DumpId = 2, Section = Section.PreData, Pass = RestorePass.Main, Kind = ObjectKind.Table, Schema = "shop", Name = "t", Owner = "o",
                    Definition = "CREATE TABLE shop.t (id integer);\n", Dependencies = [1],
                    RoleReferences = [new RoleReference { Field = "definition", Offset = 0, Length = 6, Role = "o" }],
                },
                new TocEntry
                {
                    DumpId = 3, Section = Section.Data, Pass = RestorePass.Main, Kind = ObjectKind.TableData, Schema = "shop", Name = "t", Dependencies = [2],
                    Data = new TableDataInfo { File = "data/3.dat", Format = DataFormat.Binary, Compression = DataCompression.None, Columns = [new DataColumn { Name = "id", Type = "integer" }], Rows = 0, Bytes = 0, Checksum = "xxh3-64:2d06800538d394c2" },
                },
            ],
        };
        if (formatVersion >= ArchiveManifest.StatementListsSince)
        {
            foreach (var entry in manifest.Entries)
            {
                entry.Statements = entry.Definition is { Length: > 0 } definition ? [definition] : [];
                entry.Definition = null;
            }
        }
        return JsonSerializer.Serialize(manifest, ArchiveManifest.JsonOptions);
    }

    /// <summary>How a manifest fared: read (and survived role mapping), refused with an <see cref="ArchiveException"/>, or anything else.</summary>
    private sealed record ReadOutcome(bool Accepted, Exception? Unexpected);

    private async Task<ReadOutcome> ReadAsync(string directory, byte[] manifest)
    {
        Directory.CreateDirectory(Path.Combine(directory, "data"));
        await File.WriteAllBytesAsync(Path.Combine(directory, "manifest.json"), manifest);
        await File.WriteAllBytesAsync(Path.Combine(directory, "data", "3.dat"), []);
        try
        {
            var read = await ArchiveReader.ReadManifestAsync(directory, CancellationToken.None);
            // Whatever passes validation must also survive the role mapping a restore applies.
            Restore.RoleMapper.Apply(read.Entries, new Dictionary<string, string> { ["o"] = "new_owner" });
            return new ReadOutcome(true, null);
        }
        catch (ArchiveException)
        {
            return new ReadOutcome(false, null);
        }
        catch (Exception exception)
        {
            return new ReadOutcome(false, exception);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(ArchiveManifest.CurrentFormatVersion)]
    public void Mutated_manifests_are_read_or_refused_with_an_archive_error(int formatVersion)
    {
        var valid = Encoding.UTF8.GetBytes(ValidManifestJson(formatVersion));
        var mutation = Gen.Select(Gen.Int[0, valid.Length - 1], Gen.Byte, Gen.Int[0, 3]);
        var counter = 0;
        mutation.Sample((position, value, kind) =>
        {
            var bytes = kind switch
            {
                0 => FlipByte(valid, position, value),
                1 => valid[..position],                                   // truncated
                2 => [.. valid[..position], .. valid[position..], .. valid[position..]], // duplicated tail
                _ => Insert(valid, position, "\"../../etc/passwd\""),
            };
            var failure = ReadAsync(Path.Combine(_root, $"case{Interlocked.Increment(ref counter)}"), bytes).GetAwaiter().GetResult().Unexpected;
            failure.Should().BeNull($"mutation {kind} at {position} must not throw {failure?.GetType().Name}: {failure?.Message}");
        }, iter: Iterations, threads: 1);
    }

    /// <summary>Each a value no archive can hold in that field: a duplicate or non-numeric id, a negative size, a path out of the archive, an unknown format, a role reference outside its statement, an enum spelled otherwise, a dependency on no entry.</summary>
    public static TheoryData<int, string, string> NonsenseFields()
    {
        var data = new TheoryData<int, string, string>();
        foreach (var formatVersion in new[] { 1, ArchiveManifest.CurrentFormatVersion })
        {
            foreach (var (field, replacement) in new[]
            {
                ("\"dumpId\": 2", "\"dumpId\": 3"), ("\"dumpId\": 2", "\"dumpId\": \"x\""),
                // A duplicate id that breaks no dependency (nothing depends on 3): only the duplicate check can refuse it.
                ("\"dumpId\": 3", "\"dumpId\": 2"), ("\"bytes\": 0", "\"bytes\": -5"),
                ("\"file\": \"data/3.dat\"", "\"file\": \"/etc/passwd\""), ("\"file\": \"data/3.dat\"", "\"file\": \"../x\""),
                ("\"file\": \"data/3.dat\"", "\"file\": null"), ("\"file\": \"data/3.dat\"", "\"file\": \"data\\u0000x\""),
                ($"\"formatVersion\": {formatVersion}", "\"formatVersion\": 999"), ("\"offset\": 0", "\"offset\": 100000"), ("\"length\": 6", "\"length\": -3"),
                ("\"section\": \"data\"", "\"section\": \"Data\""), ("\"kind\": \"TABLE\"", "\"kind\": 3"),
                ("\"dependencies\": [\n        1\n      ]", "\"dependencies\": [77]"),
            })
                data.Add(formatVersion, field, replacement);
            if (formatVersion >= ArchiveManifest.StatementListsSince)
            {
                data.Add(formatVersion, "\"statement\": 0", "\"statement\": 7");
                data.Add(formatVersion, "\"statement\": 0", "\"statement\": -1");
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(NonsenseFields))]
    public async Task Structured_nonsense_in_a_manifest_field_is_refused_with_an_archive_error(int formatVersion, string field, string replacement)
    {
        var text = ValidManifestJson(formatVersion);
        text.Should().Contain(field, "the valid manifest has the field this case replaces");

        var outcome = await ReadAsync(Path.Combine(_root, "nonsense"), Encoding.UTF8.GetBytes(text.Replace(field, replacement, StringComparison.Ordinal)));

        outcome.Unexpected.Should().BeNull($"{field} → {replacement} must fail as an ArchiveException, not {outcome.Unexpected?.GetType().Name}: {outcome.Unexpected?.Message}");
        outcome.Accepted.Should().BeFalse($"{field} → {replacement} is no valid manifest");
    }

    [Fact]
    public void Random_bytes_fed_to_the_copy_framing_counter_fail_only_as_invalid_data()
    {
        Gen.Byte.Array[0, 4096].Sample(bytes =>
        {
            var counter = new BinaryCopyRowCounter();
            var feed = () => counter.Feed(bytes);
            if (IsPrefixOfCopySignature(bytes))
                feed.Should().NotThrow("a prefix of the COPY signature may be the start of a stream");
            else
                feed.Should().Throw<InvalidDataException>("bytes that do not start with the COPY signature are no binary COPY stream");
        }, iter: Iterations * 10);
    }

    [Fact]
    public void Random_bytes_in_an_encrypted_file_fail_only_as_an_archive_error()
    {
        var key = Encryption.DeriveKey("fuzz", new byte[16], 1);
        Gen.Byte.Array[0, 300].Sample(bytes =>
        {
            using var input = new MemoryStream([.. "FPENC1\0\0"u8.ToArray(), .. bytes]);
            using var plain = Encryption.Decrypt(input, key);
            Exception? thrown = null;
            try
            {
                plain.CopyTo(Stream.Null);
            }
            catch (Exception exception)
            {
                thrown = exception;
            }
            // Authenticated encryption: no random bytes decrypt under the key.
            thrown.Should().Match<Exception>(e => e is ArchiveException || e is EndOfStreamException, "random bytes are refused, not decrypted");
        }, iter: Iterations);
    }

    private static bool IsPrefixOfCopySignature(byte[] bytes)
    {
        ReadOnlySpan<byte> signature = [0x50, 0x47, 0x43, 0x4F, 0x50, 0x59, 0x0A, 0xFF, 0x0D, 0x0A, 0x00]; // PGCOPY\n\377\r\n\0
        return bytes.Length <= signature.Length && signature.StartsWith(bytes);
    }

    /// <summary>One of the given values, uniformly.</summary>
    private static Gen<string> Pick(params string[] values) => Gen.Int[0, values.Length - 1].Select(index => values[index]);

    private static byte[] FlipByte(byte[] source, int position, byte value)
    {
        var copy = (byte[])source.Clone();
        copy[position] = value;
        return copy;
    }

    private static byte[] Insert(byte[] source, int position, string text) => [.. source[..position], .. Encoding.UTF8.GetBytes(text), .. source[position..]];
}
