using FactoryPulse.Dump.Storage;

namespace FactoryPulse.Dump.Tests;

public sealed class PartBufferPoolTests
{
    [Fact]
    public async Task Many_uploads_renting_at_once_never_hold_more_buffers_than_the_bound_and_reuse_them()
    {
        var pool = new PartBufferPool(bufferSize: 4096, maxRented: 3);

        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            for (var part = 0; part < 25; part++)
            {
                var buffer = await pool.RentAsync(pool.BufferSize, CancellationToken.None);
                buffer.Length.Should().Be(4096);
                await Task.Yield();
                pool.Return(buffer);
            }
        })));

        pool.Rents.Should().Be(16 * 25);
        pool.PeakRented.Should().BeLessThanOrEqualTo(3);
        pool.Allocated.Should().BeLessThanOrEqualTo(3, "returned buffers are handed out again, so memory is the bound's, not the parts'");
        pool.Rented.Should().Be(0);
    }

    [Fact]
    public async Task A_rent_past_the_bound_waits_until_a_buffer_comes_back_and_then_gets_that_buffer()
    {
        var pool = new PartBufferPool(bufferSize: 1024, maxRented: 2);
        var first = await pool.RentAsync(1024, CancellationToken.None);
        await pool.RentAsync(1024, CancellationToken.None);

        var third = pool.RentAsync(1024, CancellationToken.None).AsTask();

        third.IsCompleted.Should().BeFalse();
        pool.Return(first);
        (await third).Should().BeSameAs(first);
        pool.Allocated.Should().Be(2);
    }

    [Fact]
    public async Task A_cancelled_wait_takes_no_slot_and_a_larger_part_counts_against_the_bound_but_is_not_kept()
    {
        var pool = new PartBufferPool(bufferSize: 1024, maxRented: 1);
        var held = await pool.RentAsync(1024, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var waiting = pool.RentAsync(1024, cancel.Token).AsTask();

        await cancel.CancelAsync();

        await waiting.Invoking(task => task).Should().ThrowAsync<OperationCanceledException>();
        pool.Rented.Should().Be(1);
        pool.Return(held);
        var large = await pool.RentAsync(4096, CancellationToken.None);
        large.Length.Should().Be(4096);
        pool.Rented.Should().Be(1);
        pool.Return(large);
        (await pool.RentAsync(1024, CancellationToken.None)).Should().BeSameAs(held);
    }
}
