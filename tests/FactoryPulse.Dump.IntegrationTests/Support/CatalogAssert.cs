namespace FactoryPulse.Dump.IntegrationTests.Support;

/// <summary>
/// Whole-catalog assertions for restores that must leave a known schema behind: a data-only restore leaves the target's
/// schema exactly as it found it, a restore option gives exactly the catalog it should. Judged by the
/// <see cref="CatalogFingerprint"/> (built from the catalog, independent of the library), which holds FORCE RLS, convalidated,
/// deferrability, trigger states, owners, grants (grantor included) and default privileges, among everything else.
/// Read through a superuser connection.
/// </summary>
internal static class CatalogAssert
{
    /// <summary>The catalog before the restore, to hand to <see cref="UnchangedAsync"/> afterwards.</summary>
    public static Task<List<string>> SnapshotAsync(string connectionString) => CatalogFingerprint.ReadAsync(connectionString);

    /// <summary>
    /// The target's catalog equals <paramref name="before"/>, except that materialized views a data-only load refreshed are
    /// populated now (<paramref name="refreshedMatviews"/>): refreshing them is the load's job, not a schema change.
    /// </summary>
    public static async Task UnchangedAsync(string connectionString, IReadOnlyList<string> before, string because, bool refreshedMatviews = false)
    {
        var expected = refreshedMatviews ? Populated(before) : before;
        var difference = CatalogFingerprint.Compare(expected, await CatalogFingerprint.ReadAsync(connectionString));
        difference.Should().BeNull($"{because}; the catalog must be exactly as before:\n{difference}");
    }

    /// <summary>
    /// The target's catalog equals the source's, lines <paramref name="ignore"/> selects left out on both sides (say, objects a
    /// selection excluded).
    /// </summary>
    public static async Task SameAsync(string sourceConnectionString, string targetConnectionString, string because, Func<string, bool>? ignore = null)
    {
        var difference = CatalogFingerprint.Compare(
            await CatalogFingerprint.ReadAsync(sourceConnectionString), await CatalogFingerprint.ReadAsync(targetConnectionString), ignore);
        difference.Should().BeNull($"{because}:\n{difference}");
    }

    /// <summary>The target's catalog equals an expected list of lines (an expected variant built by the test).</summary>
    public static async Task EqualsAsync(IReadOnlyList<string> expected, string targetConnectionString, string because, Func<string, bool>? ignore = null)
    {
        var difference = CatalogFingerprint.Compare(expected, await CatalogFingerprint.ReadAsync(targetConnectionString), ignore);
        difference.Should().BeNull($"{because}:\n{difference}");
    }

    private static List<string> Populated(IReadOnlyList<string> lines)
    {
        var result = new List<string>(lines.Count);
        foreach (var line in lines)
            result.Add(line.StartsWith("relation ", StringComparison.Ordinal) && line.Contains(" kind=m ", StringComparison.Ordinal)
                ? line.Replace(" populated=false ", " populated=true ", StringComparison.Ordinal)
                : line);
        return result;
    }
}
