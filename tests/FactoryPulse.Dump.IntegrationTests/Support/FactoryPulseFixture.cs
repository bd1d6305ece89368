namespace FactoryPulse.Dump.IntegrationTests.Support;

/// <summary>The shared Factory Pulse fixture (../shared/fixtures/factory_pulse beside the repository).</summary>
internal static class FactoryPulseFixture
{
    public static string Directory { get; } = Find();

    private static string Find()
    {
        if (Environment.GetEnvironmentVariable("FPDUMP_FIXTURES") is { Length: > 0 } configured)
            return configured;
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "shared", "fixtures", "factory_pulse");
            if (System.IO.Directory.Exists(candidate))
                return candidate;
        }
        throw new DirectoryNotFoundException("Cannot find shared/fixtures/factory_pulse beside the repository; set FPDUMP_FIXTURES to its path.");
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
