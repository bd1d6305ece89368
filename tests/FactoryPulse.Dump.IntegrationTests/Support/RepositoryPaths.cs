namespace FactoryPulse.Dump.IntegrationTests.Support;

/// <summary>The repository the test assembly was built from: tests that pack or publish its projects start here.</summary>
internal static class RepositoryPaths
{
    public static string Root()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "FactoryPulse.Dump.sln")))
                return directory.FullName;
        }
        throw new DirectoryNotFoundException("FactoryPulse.Dump.sln not found above the test assembly.");
    }
}
