using TraceMiddleware.Transactions;

namespace TraceMiddleware.Export.Sentry;

/// <summary>
/// Transactions that finished while the exporter was leaving a receiver found down alone: rather than being
/// dropped at once, they wait, up to a limit, for the next probe (or shutdown's last try) and go with it. A
/// failed probe drops them, so nothing waits longer than one probe wait. Thread-safe.
/// </summary>
internal sealed class HeldTransactions
{
    private readonly Lock _lock = new();
    private readonly int _limit;
    private List<SentryTransaction> _held = [];

    /// <param name="limit">The most transactions held; later ones are refused (the newest go, as in the export queue).</param>
    public HeldTransactions(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        _limit = limit;
    }

    /// <summary>How many transactions are held.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _held.Count;
            }
        }
    }

    /// <summary>Holds what fits of <paramref name="batch"/>.</summary>
    /// <returns>How many did not fit (for the caller to count as dropped).</returns>
    public int Hold(IReadOnlyList<SentryTransaction> batch)
    {
        lock (_lock)
        {
            var fits = Math.Min(batch.Count, _limit - _held.Count);
            for (var i = 0; i < fits; i++)
            {
                _held.Add(batch[i]);
            }

            return batch.Count - fits;
        }
    }

    /// <summary>What is held, oldest first, followed by <paramref name="batch"/>; nothing is held afterwards.</summary>
    /// <returns><paramref name="batch"/> itself when nothing was held.</returns>
    public IReadOnlyList<SentryTransaction> TakeWith(IReadOnlyList<SentryTransaction> batch)
    {
        lock (_lock)
        {
            if (_held.Count == 0)
            {
                return batch;
            }

            var taken = _held;
            _held = [];
            taken.AddRange(batch);
            return taken;
        }
    }
}
