using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using TraceMiddleware.Export;
using TraceMiddleware.Propagation;
using TraceMiddleware.Sampling;

namespace TraceMiddleware.Tracing;

/// <summary>
/// The Sentry-only state of a local root span (a Sentry transaction), carried on its
/// <see cref="Activity"/> as a custom property; child spans find it by walking up their parents.
/// </summary>
internal sealed class TraceRoot
{
    public const string PropertyName = "TraceMiddleware.TraceRoot";

    private DynamicSamplingContext? _dsc;
    private SpanBuffer? _spans;
    private string? _sampleRandText;

    public TraceRoot(TracingRuntime runtime, Activity activity, SamplingDecision decision, IncomingTrace? incoming)
    {
        Runtime = runtime;
        Activity = activity;
        Decision = decision;
        Incoming = incoming;

        // A continued trace passes the caller's DSC on unchanged; only sample_rand may be filled in.
        if (incoming?.Dsc is { } frozen)
        {
            _dsc = incoming.SampleRand is null && !frozen.IsEmpty
                ? DynamicSamplingContext.FromRawBaggage(incoming.RawBaggage, incoming.BaggageSummary, SampleRandText)
                : frozen;
        }
    }

    public TracingRuntime Runtime { get; }

    public Activity Activity { get; }

    public SamplingDecision Decision { get; }

    /// <summary>Whether this trace is sampled: <see langword="null"/> while the decision is deferred. This is what is propagated.</summary>
    public bool? Sampled => Decision.Sampled;

    /// <summary>
    /// Whether this service records and sends the trace's spans: sampled, and tracing on here (a service
    /// in propagation-only mode passes a caller's <c>-1</c> on but sends nothing).
    /// </summary>
    public bool Recording { get; init; }

    /// <summary>The <c>sample_rand</c> this service sends, written on first use: a continued trace that carries one never needs it.</summary>
    public string SampleRandText => _sampleRandText ??= Decision.FormatSampleRand();

    /// <summary>
    /// The finished children of this root waiting for it to finish; created on first use, so a trace that
    /// is not recorded never has one.
    /// </summary>
    public SpanBuffer Spans => _spans ?? LazyInitializer.EnsureInitialized(ref _spans, static () => new SpanBuffer());

    public IncomingTrace? Incoming { get; }

    /// <summary>
    /// Hands the finished children over and refuses every later one (see <see cref="SpanBuffer.Close"/>); a root
    /// that never had a child gets the shared closed buffer instead of one of its own.
    /// </summary>
    public IReadOnlyList<Activity> CloseSpans(out int droppedCount)
    {
        if (Interlocked.CompareExchange(ref _spans, SpanBuffer.Closed, null) is { } spans)
        {
            return spans.Close(out droppedCount);
        }

        droppedCount = 0;
        return Array.Empty<Activity>();
    }

    /// <summary>The request this root span serves; cleared when the request ends so nothing holds on to it.</summary>
    public HttpContext? HttpContext { get; set; }

    /// <summary>How the transaction name was made: <c>route</c>, <c>url</c> or <c>custom</c>.</summary>
    public string TransactionSource { get; set; } = "custom";

    /// <summary>Whether the parent span id is made up (the caller sent a trace id only) and must not be reported.</summary>
    public bool SyntheticParent { get; init; }

    public Baggage ThirdPartyBaggage => Incoming?.ThirdPartyBaggage ?? Baggage.Empty;

    public string? TraceState => Incoming?.TraceState;

    public static TraceRoot? Find(Activity? activity)
    {
        for (var a = activity; a is not null; a = a.Parent)
        {
            if (a.GetCustomProperty(PropertyName) is TraceRoot root)
            {
                return root;
            }
        }

        return null;
    }

    /// <summary>
    /// The DSC to send: frozen for a continued trace; for a trace that starts here, built from this
    /// service's settings with the transaction name once routing has named the span.
    /// </summary>
    public DynamicSamplingContext GetDynamicSamplingContext()
    {
        if (_dsc is { } dsc)
        {
            return dsc;
        }

        RefreshName();
        var routeNamed = TransactionSource != "url";
        var head = DynamicSamplingContext.CreateHead(
            Activity.TraceId,
            Runtime.PublicKey,
            Runtime.Release,
            Runtime.Environment,
            Runtime.OrgId,
            routeNamed ? Activity.DisplayName : null,
            Decision.Sampled,
            SampleRandText,
            Decision.SampleRate);

        // Once the name can no longer change, build the DSC only once.
        if (routeNamed || HttpContext is null)
        {
            _dsc = head;
        }

        return head;
    }

    /// <summary>Names the root span after the route template once routing has chosen an endpoint.</summary>
    public void RefreshName()
    {
        if (HttpContext is not { } context || TransactionSource == "route")
        {
            return;
        }

        if (RouteNaming.TryGetRouteTemplate(context, out var template))
        {
            Activity.DisplayName = RouteNameCache.Get(context.Request.Method, template);
            TransactionSource = "route";
            if (Activity.IsAllDataRequested)
            {
                Activity.SetTag(SpanTags.HttpRoute, template);
                Activity.SetTag(SpanTags.Source, TransactionSource);
            }
        }
    }
}
