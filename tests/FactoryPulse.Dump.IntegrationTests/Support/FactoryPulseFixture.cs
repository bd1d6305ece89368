namespace FactoryPulse.Dump.IntegrationTests.Support;

/// <summary>
/// The Factory Pulse fixture: the repository's copy (tests/fixtures/factory_pulse), kept byte-identical to
/// ../shared/fixtures/factory_pulse by <see cref="FixtureCopyTests"/> wherever that directory exists, so a public
/// clone tests itself.
/// </summary>
internal static class FactoryPulseFixture
{
    public static string Directory { get; } = Find();

    /// <summary>../shared/fixtures/factory_pulse beside the repository, when this machine has it.</summary>
    public static string? SharedDirectory { get; } = FindBesideRepository(Path.Combine("shared", "fixtures", "factory_pulse"));

    private static string Find()
    {
        if (Environment.GetEnvironmentVariable("FPDUMP_FIXTURES") is { Length: > 0 } configured)
            return configured;
        return FindBesideRepository(Path.Combine("tests", "fixtures", "factory_pulse"))
            ?? throw new DirectoryNotFoundException("Cannot find tests/fixtures/factory_pulse above the test assembly; set FPDUMP_FIXTURES to its path.");
    }

    private static string? FindBesideRepository(string relative)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, relative);
            if (System.IO.Directory.Exists(candidate))
                return candidate;
        }
        return null;
    }

    // The shim creates and alters cluster-wide roles; two test classes loading it at once race on them
    // ("role already exists", "tuple concurrently updated"), so loads take turns.
    private static readonly SemaphoreSlim LoadGate = new(1, 1);

    /// <summary>Loads the Supabase shim, the schema and the seed, as the fixture's README says.</summary>
    public static Task LoadAsync(string connectionString, CancellationToken ct = default) =>
        LoadFilesAsync(connectionString, ["supabase_shim.sql", "schema.sql", "seed.sql"], ct);

    public static Task LoadFilesAsync(string connectionString, params string[] files) => LoadFilesAsync(connectionString, files, CancellationToken.None);

    public static async Task LoadFilesAsync(string connectionString, string[] files, CancellationToken ct)
    {
        await LoadGate.WaitAsync(ct);
        try
        {
            foreach (var file in files)
                await ExternalTool.PsqlFileAsync(connectionString, Path.Combine(Directory, file), ct);
        }
        finally
        {
            LoadGate.Release();
        }
    }
}
