using System.Diagnostics;
using TraceMiddleware.Tracing;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.Testing;

/// <summary>
/// Every finished activity of the sources tracing makes spans of (ASP.NET Core's request activities, .NET's
/// outgoing-request activities, the TraceMiddleware source) in this process (the apps under test run in the
/// test process). Tests run in parallel, so each one looks only at its own trace ids. A span stops after its
/// response has gone out, so tests wait for the spans they expect.
/// </summary>
public static class SpanCollector
{
    /// <summary>
    /// How long a test waits for a span: generous, because two cores are shared by parallel tests, node
    /// start-ups and Chromium; bounded, so that a span that never comes fails the test instead of hanging it.
    /// </summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private static readonly object s_gate = new();
    private static readonly List<Activity> s_stopped = [];
    private static TaskCompletionSource s_changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private static readonly ActivityListener s_listener = Start();

    public static void EnsureStarted() => GC.KeepAlive(s_listener);

    public static IReadOnlyList<Activity> ForTrace(string traceId)
    {
        EnsureStarted();
        lock (s_gate)
        {
            return s_stopped.Where(a => a.TraceId.ToHexString() == traceId).ToList();
        }
    }

    /// <summary>Waits until the spans of <paramref name="traceId"/> satisfy <paramref name="done"/>, and returns them.</summary>
    public static async Task<IReadOnlyList<Activity>> WaitForTraceAsync(string traceId, Func<IReadOnlyList<Activity>, bool> done, string what)
    {
        EnsureStarted();
        using var cancellation = new CancellationTokenSource(Wait);
        while (true)
        {
            Task changed;
            lock (s_gate)
            {
                var spans = s_stopped.Where(a => a.TraceId.ToHexString() == traceId).ToList();
                if (done(spans))
                {
                    return spans;
                }

                changed = s_changed.Task;
            }

            try
            {
                await changed.WaitAsync(cancellation.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Our spans of trace {traceId} never showed {what} within {Wait}. They are:\n{Describe(ForTrace(traceId))}");
            }
        }
    }

    /// <summary>
    /// Waits until a request of <paramref name="traceId"/> has finished (its server span, recorded or not, has
    /// stopped: after the response went out), and returns every span of the trace seen by then.
    /// </summary>
    public static Task<IReadOnlyList<Activity>> WaitForRequestAsync(string traceId) =>
        WaitForTraceAsync(traceId, s => s.Any(a => a.Kind == ActivityKind.Server), "a finished request");

    /// <summary>Waits for the one span of <paramref name="traceId"/> with this op (and, when given, this name).</summary>
    public static async Task<Activity> WaitForSpanAsync(string traceId, string op, string? name = null)
    {
        var spans = await WaitForTraceAsync(traceId, s => s.Any(a => Is(a, op, name)), $"a {op} span{(name is null ? string.Empty : $" named '{name}'")}");
        return Assert.Single(spans, a => Is(a, op, name));
    }

    public static string Op(this Activity activity) => activity.GetTagItem(SpanTags.Op) as string ?? string.Empty;

    public static string Describe(IEnumerable<Activity> spans) =>
        string.Join('\n', spans.Select(a => $"  {a.Kind} {a.Op()} '{a.DisplayName}' {a.SpanId}<-{a.ParentSpanId} recorded={a.Recorded}"));

    private static bool Is(Activity activity, string op, string? name) =>
        activity.Op() == op && (name is null || activity.DisplayName == name);

    private static ActivityListener Start()
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is TraceMiddlewareActivitySource.Name or "Microsoft.AspNetCore" or "System.Net.Http",

            // Listening must not change anybody's decision: the weakest answer.
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.None,
            ActivityStopped = activity =>
            {
                lock (s_gate)
                {
                    s_stopped.Add(activity);
                    var changed = s_changed;
                    s_changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    changed.TrySetResult();
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
