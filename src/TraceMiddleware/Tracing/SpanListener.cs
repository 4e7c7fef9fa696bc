using System.Diagnostics;

namespace TraceMiddleware.Tracing;

/// <summary>
/// The one process-wide <see cref="ActivityListener"/> of the <c>TraceMiddleware</c> source. Our own
/// sampling decision reaches its <c>Sample</c> callback through a thread-static slot set around
/// <c>StartActivity</c>, which runs the callback synchronously on the same thread.
/// </summary>
internal static class SpanListener
{
    private const int None = 0;
    private const int Record = 1;
    private const int PropagateOnly = 2;

    private static readonly object s_gate = new();
    private static ActivityListener? s_listener;

    [ThreadStatic]
    private static int t_pending;

    public static void EnsureStarted()
    {
        if (Volatile.Read(ref s_listener) is not null)
        {
            return;
        }

        lock (s_gate)
        {
            if (s_listener is not null)
            {
                return;
            }

            var listener = new ActivityListener
            {
                // By name: comparing with the static Source field would first create the source from
                // inside AddActivityListener, before that field is assigned, and never listen to it.
                ShouldListenTo = static source => source.Name == TraceMiddlewareActivitySource.Name,
                Sample = Sample,
                SampleUsingParentId = static (ref ActivityCreationOptions<string> _) => ActivitySamplingResult.PropagationData,
                ActivityStopped = OnStopped,
            };
            ActivitySource.AddActivityListener(listener);
            Volatile.Write(ref s_listener, listener);
        }
    }

    /// <summary>Starts an activity of our source, recorded or not as we decided.</summary>
    public static Activity? Start(string name, ActivityKind kind, ActivityContext parent, bool record)
    {
        t_pending = record ? Record : PropagateOnly;
        try
        {
            return TraceMiddlewareActivitySource.Source.StartActivity(name, kind, parent);
        }
        finally
        {
            t_pending = None;
        }
    }

    private static ActivitySamplingResult Sample(ref ActivityCreationOptions<ActivityContext> options) => t_pending switch
    {
        Record => ActivitySamplingResult.AllDataAndRecorded,
        PropagateOnly => ActivitySamplingResult.PropagationData,

        // Someone else started an activity from our source: follow the parent.
        _ => (options.Parent.TraceFlags & ActivityTraceFlags.Recorded) != 0
            ? ActivitySamplingResult.AllDataAndRecorded
            : ActivitySamplingResult.PropagationData,
    };

    private static void OnStopped(Activity activity)
    {
        if (TraceRoot.Find(activity) is { } root)
        {
            root.Runtime.OnSpanStopped(activity, root);
        }
    }
}
