using System.Collections.Concurrent;

namespace FactoryPulse.Dump.Storage;

/// <summary>
/// The part (block) buffers of store uploads, shared by every upload in the process. An upload holds one buffer while
/// it fills and sends a part and gives it back after the part is sent; at most <see cref="MaxRented"/> are out at once
/// (an upload that finds none waits), so an upload's memory is bounded by this pool and not by --jobs or the number of
/// files. Each upload used to allocate its own 8 MiB array: large-object-heap garbage that lived until a gen-2 GC.
/// </summary>
internal sealed class PartBufferPool
{
    /// <summary>
    /// 5 MiB, S3's smallest part (Azure blocks may be any size): parts in flight are most of a dump's memory beyond
    /// the runtime's own (8 MiB parts were 32 MB of a --jobs 4 dump's peak), and a request per 5 MiB is still few.
    /// </summary>
    public const int DefaultBufferSize = 5 << 20;

    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentBag<byte[]> _free = [];
    private int _rented;
    private int _peakRented;
    private long _rents;
    private int _allocated;

    public PartBufferPool(int bufferSize, int maxRented)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRented, 1);
        BufferSize = bufferSize;
        MaxRented = maxRented;
        _slots = new SemaphoreSlim(maxRented, maxRented);
    }

    /// <summary>
    /// The uploads' pool: four buffers on small machines, one per processor up to eight (--jobs defaults to the
    /// processor count, and more parts in flight than that buy no throughput from one client).
    /// </summary>
    public static PartBufferPool Shared { get; } = new(DefaultBufferSize, Math.Clamp(Environment.ProcessorCount, 4, 8));

    public int BufferSize { get; }

    public int MaxRented { get; }

    /// <summary>Buffers out now.</summary>
    public int Rented => Volatile.Read(ref _rented);

    /// <summary>The most buffers that were ever out at once (what the memory bound is about).</summary>
    public int PeakRented => Volatile.Read(ref _peakRented);

    /// <summary>Buffers handed out so far.</summary>
    public long Rents => Interlocked.Read(ref _rents);

    /// <summary>Arrays this pool has made: with reuse, never more than <see cref="MaxRented"/> of the pool's size.</summary>
    public int Allocated => Volatile.Read(ref _allocated);

    /// <summary>
    /// Takes a buffer of <paramref name="size"/> bytes (waiting while <see cref="MaxRented"/> are out). Only
    /// <see cref="BufferSize"/> buffers are kept for reuse; a larger one (the parts of a file past many GB) still counts
    /// against the bound but is dropped when returned.
    /// </summary>
    public async ValueTask<byte[]> RentAsync(int size, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        var rented = Interlocked.Increment(ref _rented);
        var peak = Volatile.Read(ref _peakRented);
        while (rented > peak)
        {
            var seen = Interlocked.CompareExchange(ref _peakRented, rented, peak);
            if (seen == peak)
                break;
            peak = seen;
        }
        Interlocked.Increment(ref _rents);
        if (size == BufferSize && _free.TryTake(out var reused))
            return reused;
        Interlocked.Increment(ref _allocated);
        return GC.AllocateUninitializedArray<byte>(size);
    }

    /// <summary>Gives a buffer back; its contents are not cleared (parts are archive bytes, already on their way to the store).</summary>
    public void Return(byte[] buffer)
    {
        if (buffer.Length == BufferSize)
            _free.Add(buffer);
        Interlocked.Decrement(ref _rented);
        _slots.Release();
    }
}
