using System.Text.Json.Serialization;

namespace FactoryPulse.Dump.Cli;

/// <summary>
/// The --json results, serialized by generated code: the Native AOT binary has no reflection-based serializer, and
/// the IL tool starts faster without one. Same shape as before: indented, camelCase.
/// </summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(DumpResult))]
[JsonSerializable(typeof(RestoreReport))]
[JsonSerializable(typeof(CopyResult))]
[JsonSerializable(typeof(VerificationReport))]
[JsonSerializable(typeof(BackupSetResult))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
