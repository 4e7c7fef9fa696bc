using System.Collections.Concurrent;

namespace Shop.Orders;

/// <summary>Stands in for the orders table: the sample needs no database.</summary>
public sealed class OrderStore
{
    private readonly ConcurrentDictionary<long, OrderRequest> _orders = new();
    private long _lastId;

    /// <summary>Saves an order and returns its id.</summary>
    public async Task<long> SaveAsync(OrderRequest order, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);

        // Some latency, so that the db.query span is visible in the trace.
        await Task.Delay(TimeSpan.FromMilliseconds(15), cancellationToken);
        var id = Interlocked.Increment(ref _lastId);
        _orders[id] = order;
        return id;
    }
}
