using FactoryPulse.Dump.Model;

namespace FactoryPulse.Dump.Archive;

/// <summary>
/// The order entries run in: pass after pass, each in dump order. The base of <c>Restore.RestorePlan</c>; here so that
/// writers of scripts (Formats) share it without depending on the restore engine.
/// </summary>
internal static class TocOrder
{
    /// <summary>The restore passes in order: objects, then privileges, then default privileges and refreshes.</summary>
    public static readonly IReadOnlyList<RestorePass> Passes = [RestorePass.Main, RestorePass.Acl, RestorePass.PostAcl];

    public static List<TocEntry> InRestoreOrder(IReadOnlyList<TocEntry> entries)
    {
        var ordered = new List<TocEntry>(entries.Count);
        foreach (var pass in Passes)
        {
            foreach (var entry in entries)
            {
                if (entry.Pass == pass)
                    ordered.Add(entry);
            }
        }
        return ordered;
    }
}
