using System.Collections.Concurrent;
using System.Diagnostics;
using TraceMiddleware.Tracing;

namespace TraceMiddleware.IntegrationTests.Infrastructure;

/// <summary>
/// Collects every finished activity of the TraceMiddleware source in this process. Tests run in
/// parallel, so each one looks only at the trace ids it made.
/// </summary>
public static class SpanCollector
{
    private static readonly ConcurrentQueue<Activity> s_stopped = new();

    private static readonly ActivityListener s_listener = Start();

    public static IReadOnlyList<Activity> ForTrace(string traceId)
    {
        GC.KeepAlive(s_listener);
        return s_stopped.Where(a => a.TraceId.ToHexString() == traceId).ToList();
    }

    public static void EnsureStarted() => GC.KeepAlive(s_listener);

    private static ActivityListener Start()
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == TraceMiddlewareActivitySource.Name,

            // Listening must not change anybody's decision: the weakest answer.
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.None,
            ActivityStopped = s_stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
