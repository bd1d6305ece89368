using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Model;
using FactoryPulse.Dump.Restore;

namespace FactoryPulse.Dump.Tests;

/// <summary>Pipelinable units are handed out in groups: one round trip for several, without breaking waits or lock keys.</summary>
public sealed class ParallelSchedulerGroupTests
{
    private static ScheduledUnit Unit(int id, string? key, bool shared = false, bool pipelinable = true, params int[] waits) =>
        new(id, new TocEntry { DumpId = id, Section = Section.PostData, Kind = ObjectKind.Index, Schema = "s", Name = $"e{id}" }, key, waits, shared, Pipelinable: pipelinable);

    [Fact]
    public async Task Ready_pipelinable_units_run_together_in_list_order_with_their_waits_inside_the_group()
    {
        var groups = new List<List<int>>();
        List<ScheduledUnit> units = [Unit(0, "s.a", shared: true), Unit(1, "s.a", shared: true), Unit(2, "s.a", waits: [0, 1]), Unit(3, "s.b"), Unit(4, "s.c", pipelinable: false)];

        await ParallelScheduler.RunAsync(units, ["w1"], 10, async (worker, group) =>
        {
            await Task.Yield();
            lock (groups)
                groups.Add([.. group.Select(unit => unit.Id)]);
        });

        groups.Select(group => string.Join(",", group)).Should().Equal("0,1,2,3", "4");
    }

    [Fact]
    public async Task A_group_never_takes_a_key_another_running_group_holds_and_respects_its_size()
    {
        var held = new Dictionary<string, int>();
        var conflicts = 0;
        var done = new List<int>();
        var units = new List<ScheduledUnit>();
        for (var i = 0; i < 40; i++)
            units.Add(Unit(i, $"s.t{i % 5}", shared: i % 3 != 0));

        await ParallelScheduler.RunAsync(units, ["w1", "w2", "w3"], 4, async (worker, group) =>
        {
            group.Count.Should().BeLessThanOrEqualTo(4);
            var exclusive = new HashSet<string>();
            foreach (var unit in group)
            {
                if (!unit.SharedLock)
                    exclusive.Add(unit.LockKey!);
            }
            var keys = group.Select(unit => unit.LockKey!).Distinct().ToList();
            lock (held)
            {
                foreach (var key in keys)
                {
                    var holders = held.GetValueOrDefault(key);
                    // An exclusive holder never shares its key; a shared one only with other shared holders.
                    if (holders < 0 || (holders > 0 && exclusive.Contains(key)))
                        conflicts++;
                    held[key] = exclusive.Contains(key) ? -1 : Math.Max(holders, 0) + 1;
                }
            }
            await Task.Delay(5);
            lock (held)
            {
                foreach (var key in keys)
                {
                    if (held[key] < 0 || --held[key] == 0)
                        held.Remove(key);
                }
                done.AddRange(group.Select(unit => unit.Id));
            }
        });

        conflicts.Should().Be(0);
        done.Should().BeEquivalentTo(Enumerable.Range(0, 40));
    }
}
