namespace TraceMiddleware.AspNetCore.Tunnel;

/// <summary>
/// The request-body bytes all of a tunnel's requests together may hold at once
/// (<see cref="SentryTunnelOptions.MaxBufferedBytes"/>). A request takes its share
/// before it reads a byte of its body and gives it back once its buffer is returned; a request that does
/// not fit is refused unread, so slow or silent clients can hold no more than this much memory.
/// </summary>
internal sealed class SentryTunnelBudget
{
    private long _held;

    public SentryTunnelBudget(long max)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        Max = max;
    }

    public long Max { get; }

    /// <summary>The bytes reserved by requests in progress.</summary>
    public long Held => Volatile.Read(ref _held);

    /// <summary>Takes <paramref name="bytes"/> if they fit; the caller gives them back with <see cref="Release"/>.</summary>
    public bool TryReserve(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        while (true)
        {
            var held = Volatile.Read(ref _held);
            if (bytes > Max - held)
            {
                return false;
            }

            // Compare-and-swap rather than add-then-undo: a request that does not fit never pushes the
            // count over, so it cannot make a concurrent one that would fit fail.
            if (Interlocked.CompareExchange(ref _held, held + bytes, held) == held)
            {
                return true;
            }
        }
    }

    public void Release(long bytes) => Interlocked.Add(ref _held, -bytes);
}
