using System.Diagnostics;

namespace TraceMiddleware.Export.Console;

/// <summary>The last few trace ids added, at most a fixed number: the oldest is forgotten first. Not thread-safe.</summary>
internal sealed class RecentTraceIds(int capacity)
{
    private readonly HashSet<ActivityTraceId> _ids = [];
    private readonly Queue<ActivityTraceId> _order = new();

    public bool Contains(ActivityTraceId traceId) => _ids.Contains(traceId);

    public void Add(ActivityTraceId traceId)
    {
        if (!_ids.Add(traceId))
        {
            return;
        }

        _order.Enqueue(traceId);
        if (_order.Count > capacity)
        {
            _ids.Remove(_order.Dequeue());
        }
    }
}
