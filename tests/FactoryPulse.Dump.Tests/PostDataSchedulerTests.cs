using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Restore;
using FluentAssertions;
using Xunit;

namespace FactoryPulse.Dump.Tests;

public sealed class PostDataSchedulerTests
{
    private static TocEntry Entry(int id, string kind, string? table, params int[] dependencies) =>
        new() { DumpId = id, Kind = kind, Schema = "public", Name = $"e{id}", Table = table, Dependencies = [.. dependencies] };

    [Fact]
    public async Task Entries_that_finish_synchronously_are_all_counted_done()
    {
        // Each run returns the one cached completed task; the scheduler must still see every entry finish, or the
        // entries depending on them wait forever (a restore once failed this way when statements completed synchronously).
        var entries = new List<TocEntry>
        {
            Entry(1, "INDEX", "public.a"),
            Entry(2, "INDEX", "public.b"),
            Entry(3, "ROW SECURITY", "public.c"),
            Entry(4, "POLICY", "public.d", 1, 2, 3),
        };
        var ran = new List<int>();

        await PostDataScheduler.RunAsync(entries, ["w1", "w2", "w3"], (_, entry) =>
        {
            ran.Add(entry.DumpId);
            return Task.CompletedTask;
        });

        ran.Should().Equal(1, 2, 3, 4);
    }

    [Fact]
    public async Task An_entry_starts_only_after_its_dependencies_finish()
    {
        var entries = new List<TocEntry> { Entry(1, "INDEX", "public.a"), Entry(2, "CONSTRAINT", "public.b", 1), Entry(3, "TRIGGER", "public.c", 2) };
        var finished = new HashSet<int>();
        var violations = new List<int>();

        await PostDataScheduler.RunAsync(entries, [1, 2, 3], async (_, entry) =>
        {
            lock (finished)
            {
                foreach (var dependency in entry.Dependencies)
                {
                    if (!finished.Contains(dependency))
                        violations.Add(entry.DumpId);
                }
            }
            await Task.Delay(5);
            lock (finished)
                finished.Add(entry.DumpId);
        });

        violations.Should().BeEmpty();
        finished.Should().BeEquivalentTo([1, 2, 3]);
    }

    [Fact]
    public async Task Entries_of_one_table_never_run_side_by_side()
    {
        var entries = new List<TocEntry>();
        for (var id = 1; id <= 12; id++)
            entries.Add(Entry(id, "INDEX", id % 2 == 0 ? "public.even" : "public.odd"));
        var active = new Dictionary<string, int>(StringComparer.Ordinal);
        var most = 0;
        var workersAtOnce = 0;
        var mostWorkers = 0;

        await PostDataScheduler.RunAsync(entries, [1, 2, 3, 4], async (_, entry) =>
        {
            lock (active)
            {
                active[entry.Table!] = active.GetValueOrDefault(entry.Table!) + 1;
                most = Math.Max(most, active[entry.Table!]);
                mostWorkers = Math.Max(mostWorkers, ++workersAtOnce);
            }
            await Task.Delay(5);
            lock (active)
            {
                active[entry.Table!]--;
                workersAtOnce--;
            }
        });

        most.Should().Be(1);
        mostWorkers.Should().Be(2, "two tables give two entries at a time, even with four workers");
    }

    [Fact]
    public async Task Entries_waiting_on_each_other_give_a_typed_error_naming_one_of_them()
    {
        var entries = new List<TocEntry> { Entry(1, "POLICY", "public.a", 2), Entry(2, "POLICY", "public.b", 1) };

        var act = () => PostDataScheduler.RunAsync(entries, ["w"], (_, _) => Task.CompletedTask);

        (await act.Should().ThrowAsync<RestoreFailedException>()).Which.Message.Should().Contain("POLICY public.e1");
    }

    [Fact]
    public async Task A_failing_entry_is_reported_after_the_running_ones_finish_and_nothing_new_starts()
    {
        var entries = new List<TocEntry> { Entry(1, "INDEX", "public.a"), Entry(2, "INDEX", "public.b"), Entry(3, "INDEX", "public.c", 1) };
        var slowFinished = false;
        var started = new List<int>();

        var act = () => PostDataScheduler.RunAsync(entries, [1, 2], async (_, entry) =>
        {
            lock (started)
                started.Add(entry.DumpId);
            if (entry.DumpId == 1)
                throw new RestoreFailedException("index failed", null);
            await Task.Delay(50);
            slowFinished = true;
        });

        await act.Should().ThrowAsync<RestoreFailedException>().WithMessage("index failed");
        slowFinished.Should().BeTrue();
        started.Should().NotContain(3);
    }
}
