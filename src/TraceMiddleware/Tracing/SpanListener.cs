using System.Diagnostics;

namespace TraceMiddleware.Tracing;

/// <summary>
/// One host's <see cref="ActivityListener"/>: it makes the spans of this host's traces exist and agree with the
/// host's one sampling decision, and hands every finished one to the runtime. It listens to this host's own
/// <c>Microsoft.AspNetCore</c> source (the request spans), to <c>System.Net.Http</c> (.NET's own outgoing-call
/// spans, the <c>http.client</c> spans) and to <c>TraceMiddleware</c> (spans started with <see cref="SentryTracer"/>).
/// </summary>
/// <remarks>
/// A request span is created recorded while tracing is on here, and loses its recorded flag when the decision,
/// made later (after routing when a sampler wants the route), says so. Listeners' answers combine by taking the
/// strongest, so a child created while another listener (OpenTelemetry's) still saw the provisional flag is
/// corrected as it starts. For activities outside this host's traces the answer is <see cref="ActivitySamplingResult.None"/>:
/// no opinion.
/// </remarks>
internal sealed class SpanListener : IDisposable
{
    /// <summary>The source of .NET's own outgoing HTTP request activities.</summary>
    public const string HttpClientSourceName = "System.Net.Http";

    private readonly TracingRuntime _runtime;
    private readonly ActivityListener _listener;

    public SpanListener(TracingRuntime runtime)
    {
        _runtime = runtime;
        _listener = new ActivityListener
        {
            ShouldListenTo = ShouldListenTo,
            Sample = Sample,
            SampleUsingParentId = static (ref ActivityCreationOptions<string> _) => ActivitySamplingResult.None,
            ActivityStarted = OnStarted,
            ActivityStopped = OnStopped,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose() => _listener.Dispose();

    private bool ShouldListenTo(ActivitySource source) =>
        ReferenceEquals(source, _runtime.HostingSource)
        || source.Name is HttpClientSourceName or TraceMiddlewareActivitySource.Name;

    private ActivitySamplingResult Sample(ref ActivityCreationOptions<ActivityContext> options)
    {
        var source = options.Source;
        var provisional = _runtime.TracingEnabled ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.PropagationData;
        if (ReferenceEquals(source, _runtime.HostingSource))
        {
            return provisional;
        }

        var parent = options.Parent;
        var current = Activity.Current;
        if (current is not null && current.SpanId == parent.SpanId && current.TraceId == parent.TraceId
            && TraceRoot.Find(current) is { } root)
        {
            if (!ReferenceEquals(root.Runtime, _runtime))
            {
                return ActivitySamplingResult.None;
            }

            return root.Recording ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.PropagationData;
        }

        if (ReferenceEquals(source, TraceMiddlewareActivitySource.Source))
        {
            // A root we are about to start (its decision follows before it starts), or a child of a span we do
            // not know: follow the parent.
            return parent == default || parent.IsRemote
                ? provisional
                : (parent.TraceFlags & ActivityTraceFlags.Recorded) != 0 ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.PropagationData;
        }

        return ActivitySamplingResult.None;
    }

    private void OnStarted(Activity activity)
    {
        if (ReferenceEquals(activity.Source, _runtime.HostingSource)
            || TraceRoot.Find(activity.Parent) is not { } root
            || !ReferenceEquals(root.Runtime, _runtime))
        {
            return;
        }

        var httpClient = activity.Source.Name == HttpClientSourceName;
        if (httpClient)
        {
            root.OnClientSpanStarted();
        }

        if (!root.Recording)
        {
            activity.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
            activity.IsAllDataRequested = false;
        }
        else if (httpClient)
        {
            HttpClientSpan.OnStarted(activity);
        }
    }

    private void OnStopped(Activity activity)
    {
        if (TraceRoot.Find(activity) is not { } root || !ReferenceEquals(root.Runtime, _runtime))
        {
            return;
        }

        if (ReferenceEquals(activity, root.Activity))
        {
            // Another instrumentation may have renamed the span on its way out (OpenTelemetry's does).
            activity.DisplayName = root.Name;
            if (root.UnguardedClientSpans > 0)
            {
                _runtime.OnUnguardedClients(root.UnguardedClientSpans, activity.DisplayName);
            }
        }
        else if (activity.Recorded && activity.Source.Name == HttpClientSourceName)
        {
            HttpClientSpan.OnStopped(activity);
        }

        _runtime.OnSpanStopped(activity, root);
    }
}
