using FactoryPulse.Dump.IntegrationTests.Support;

namespace FactoryPulse.Dump.IntegrationTests;

/// <summary>The repository's copy of the Factory Pulse fixture is the shared one, file for file, byte for byte.</summary>
public sealed class FixtureCopyTests
{
    [SkippableFact]
    public void The_repository_copy_of_the_factory_pulse_fixture_equals_the_shared_one()
    {
        // Outside this team's machines (a public clone) there is nothing to compare with; say so rather than pass.
        Skip.If(FactoryPulseFixture.SharedDirectory is null, "../shared/fixtures/factory_pulse is not beside the repository (a public clone)");
        var shared = FactoryPulseFixture.SharedDirectory!;
        var copy = FactoryPulseFixture.Directory;

        Names(copy).Should().Equal(Names(shared), "the copy holds exactly the shared files");
        foreach (var name in Names(shared))
            File.ReadAllBytes(Path.Combine(copy, name)).Should().Equal(File.ReadAllBytes(Path.Combine(shared, name)), $"{name} is copied unchanged (cp ../shared/fixtures/factory_pulse/* tests/fixtures/factory_pulse/)");
    }

    private static List<string> Names(string directory)
    {
        var names = new List<string>();
        foreach (var file in Directory.GetFiles(directory))
            names.Add(Path.GetFileName(file));
        names.Sort(StringComparer.Ordinal);
        return names;
    }
}
