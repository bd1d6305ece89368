using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Model;
using FactoryPulse.Dump.Restore;

namespace FactoryPulse.Dump.Tests;

/// <summary>More ready units than workers, and a shared lock after an exclusive one on the same key.</summary>
public sealed class ParallelSchedulerLockTests
{
    private static ScheduledUnit Unit(int id, string? key = null, bool shared = false) =>
        new(id, new TocEntry { DumpId = id, Section = Section.PostData, Kind = ObjectKind.Index, Schema = "s", Name = $"e{id}" }, key, [], shared);

    [Fact]
    public async Task More_ready_units_than_workers_run_at_most_one_per_worker_and_all_finish()
    {
        var running = 0;
        var most = 0;
        var done = new List<int>();
        List<ScheduledUnit> units = [Unit(0), Unit(1), Unit(2), Unit(3), Unit(4)];

        await ParallelScheduler.RunAsync(units, ["w1", "w2"], async (worker, unit) =>
        {
            var now = Interlocked.Increment(ref running);
            lock (done)
                most = Math.Max(most, now);
            await Task.Delay(20);
            Interlocked.Decrement(ref running);
            lock (done)
                done.Add(unit.Id);
        });

        done.Should().BeEquivalentTo([0, 1, 2, 3, 4]);
        most.Should().BeLessThanOrEqualTo(2);
    }

    [Fact]
    public async Task A_shared_unit_never_starts_beside_an_exclusive_holder_of_its_key()
    {
        var events = new List<string>();
        List<ScheduledUnit> units = [Unit(0, "s.t"), Unit(1, "s.t", shared: true), Unit(2, "s.t", shared: true)];

        await ParallelScheduler.RunAsync(units, ["w1", "w2", "w3"], async (worker, unit) =>
        {
            lock (events)
                events.Add($"start {unit.Id}");
            await Task.Delay(30);
            lock (events)
                events.Add($"end {unit.Id}");
        });

        events.IndexOf("end 0").Should().BeLessThan(events.IndexOf("start 1"));
        events.IndexOf("end 0").Should().BeLessThan(events.IndexOf("start 2"));
        events.IndexOf("start 2").Should().BeLessThan(events.IndexOf("end 1"), "shared holders run side by side");
    }
}
