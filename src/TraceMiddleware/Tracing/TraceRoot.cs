using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using TraceMiddleware.Export;
using TraceMiddleware.Propagation;
using TraceMiddleware.Sampling;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.Tracing;

/// <summary>
/// The Sentry-only state of a local root span (a Sentry transaction: ASP.NET Core's request activity, or a root
/// started with <see cref="SentryTracer"/>), carried on its <see cref="Activity"/> as a custom property; child spans
/// find it by walking up their parents. It holds the one sampling decision of the trace in this service, made once,
/// at the latest before anything is propagated.
/// </summary>
/// <remarks>
/// As the request's <see cref="IEndpointFeature"/> (only while a <c>TracesSampler</c> waits for the route), it
/// learns the moment routing chooses an endpoint, names the span after the route and decides there.
/// </remarks>
internal sealed class TraceRoot : IEndpointFeature, IDynamicSamplingContextSource
{
    /// <summary>
    /// The custom property of the root's <see cref="System.Diagnostics.Activity"/> (ASP.NET Core's, for a request) that
    /// holds its state. Not a <c>ConditionalWeakTable</c>, although it allocates less (33 B against the property
    /// dictionary's 216 B): each entry is a GC dependent handle that every collection scans, and with one entry per
    /// request an unsampled request in a steady loop through the hosting layer took 9.3 µs against 5.1 µs (bare
    /// 3.5 µs); HostingBenchmarks' shorter iterations showed about a microsecond of it.
    /// </summary>
    private const string PropertyName = "TraceMiddleware.TraceRoot";

    private DynamicSamplingContext? _dsc;
    private SpanBuffer? _spans;
    private string? _sampleRandText;
    private SamplingDecision _decision;
    private bool _recording;
    private volatile bool _decided;
    private bool _deciding;
    private Endpoint? _endpoint;
    private Dictionary<string, string>? _tags;
    private string? _name;
    private int _clientSpans;
    private int _guardedClientSpans;

    public TraceRoot(TracingRuntime runtime, Activity activity, IncomingTrace? incoming, string op, string origin)
    {
        Runtime = runtime;
        Activity = activity;
        Incoming = incoming;
        Op = op;
        Origin = origin;
        _name = activity.DisplayName;
    }

    public TracingRuntime Runtime { get; }

    public Activity Activity { get; }

    public IncomingTrace? Incoming { get; }

    /// <summary>Sentry's operation of the root span, such as <c>http.server</c>.</summary>
    public string Op { get; }

    /// <summary>What created the root span, such as <c>auto.http.aspnetcore</c>.</summary>
    public string Origin { get; }

    /// <summary>The transaction name, such as <c>GET /orders/{id}</c>; also the activity's display name.</summary>
    public string Name => _name ?? NameAfterUrl();

    /// <summary>How the transaction name was made: <c>route</c>, <c>url</c> or <c>custom</c>.</summary>
    public string TransactionSource { get; private set; } = "custom";

    /// <summary>The route template routing chose, such as <c>/orders/{id}</c>; <see langword="null"/> before routing or without it.</summary>
    public string? Route { get; private set; }

    /// <summary>The request this root span serves; cleared when the request ends so nothing holds on to it.</summary>
    public HttpContext? HttpContext { get; set; }

    /// <summary>How the incoming trace headers were used, for the debug log.</summary>
    public ContinuationOutcome Outcome { get; init; }

    /// <summary>Whether the parent span id is made up (the caller sent a trace id only) and must not be reported.</summary>
    public bool SyntheticParent { get; init; }

    /// <summary>The sampling decision, made on first use.</summary>
    public SamplingDecision Decision
    {
        get
        {
            EnsureDecided();
            return _decision;
        }
    }

    /// <summary>Whether this trace is sampled: <see langword="null"/> while the decision is deferred. This is what is propagated.</summary>
    public bool? Sampled => Decision.Sampled;

    /// <summary>
    /// Whether this service records and sends the trace's spans: sampled, tracing on here (a service in
    /// propagation-only mode passes a caller's <c>-1</c> on but sends nothing), and not dropped by another
    /// instrumentation that owns the activity too (OpenTelemetry's request filter, say).
    /// </summary>
    public bool Recording
    {
        get
        {
            EnsureDecided();
            return _recording;
        }
    }

    /// <summary>The user the app set while the transaction ran (<see cref="SentryTracer.SetUser"/>).</summary>
    public SentryUser? User { get; set; }

    /// <summary>What the transaction says about its request, taken as the request ends.</summary>
    public SentryRequest? Request { get; set; }

    /// <summary>The Sentry tags set while the transaction ran (<see cref="SentryTracer.SetTag"/>), in the order set.</summary>
    public KeyValuePair<string, string>[] Tags
    {
        get
        {
            lock (this)
            {
                return _tags is null ? [] : [.. _tags];
            }
        }
    }

    /// <summary>Sets a Sentry tag of this transaction.</summary>
    public void SetTag(string key, string value)
    {
        lock (this)
        {
            (_tags ??= new Dictionary<string, string>(StringComparer.Ordinal))[key] = value;
        }
    }

    /// <summary>
    /// Leaves this transaction out of every exporter (an ignore rule matched): not recorded, its spans not
    /// exported; its trace is still passed on with the decision it has.
    /// </summary>
    public void Ignore()
    {
        EnsureDecided();
        _recording = false;
        Activity.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
        Activity.IsAllDataRequested = false;
    }

    /// <summary>Whether the decision has been made.</summary>
    public bool IsDecided => _decided;

    /// <summary>The <c>sample_rand</c> this service sends, written on first use: a continued trace that carries one never needs it.</summary>
    public string SampleRandText => _sampleRandText ??= Decision.FormatSampleRand();

    /// <summary>
    /// The finished children of this root waiting for it to finish; created on first use, so a trace that
    /// is not recorded never has one.
    /// </summary>
    public SpanBuffer Spans => _spans ?? LazyInitializer.EnsureInitialized(ref _spans, static () => new SpanBuffer());

    public Baggage ThirdPartyBaggage => Incoming?.ThirdPartyBaggage ?? Baggage.Empty;

    public string? TraceState => Incoming?.TraceState;

    Endpoint? IEndpointFeature.Endpoint
    {
        get => _endpoint;
        set
        {
            _endpoint = value;
            if (value is not null && HttpContext is { } context)
            {
                RefreshName();
                EnsureDecided();
                if (_recording && Runtime.Ignore.IgnoresRequest(context, Name))
                {
                    Ignore();
                }
            }
        }
    }

    /// <summary>
    /// The root of a trace that only carries a call made outside any span: never recorded, its decision deferred
    /// to the services it calls, as Sentry's SDKs do without a span.
    /// </summary>
    public static TraceRoot Deferred(TracingRuntime runtime, Activity activity, string op, string origin)
    {
        var root = new TraceRoot(runtime, activity, null, op, origin)
        {
            _decision = new SamplingDecision(null, SampleRand.Generate(), null) { Source = SamplingDecisionSource.Deferred },
            _decided = true,
        };
        activity.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
        activity.IsAllDataRequested = false;
        return root;
    }

    /// <summary>
    /// How many of .NET's outgoing-request spans of this trace went out without the library's propagator deciding their
    /// headers (an HttpClient whose handler holds another propagator: one built before <c>AddTracing()</c>, say).
    /// </summary>
    public int UnguardedClientSpans => Volatile.Read(ref _clientSpans) - Volatile.Read(ref _guardedClientSpans);

    /// <summary>Counts one of .NET's outgoing-request spans starting in this trace.</summary>
    public void OnClientSpanStarted() => Interlocked.Increment(ref _clientSpans);

    /// <summary>Counts the library's propagator deciding the headers of one of them.</summary>
    public void OnClientSpanGuarded() => Interlocked.Increment(ref _guardedClientSpans);

    /// <summary>Puts <paramref name="root"/> on <paramref name="activity"/>, where <see cref="Find"/> finds it.</summary>
    public static void Attach(Activity activity, TraceRoot root) => activity.SetCustomProperty(PropertyName, root);

    /// <summary>The root state of <paramref name="activity"/>'s local root, or <see langword="null"/> when no root of ours is above it.</summary>
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

    /// <summary>Names the span (and the transaction) <paramref name="name"/>, made as <paramref name="source"/> says.</summary>
    public void SetName(string name, string source)
    {
        _name = name;
        TransactionSource = source;
        Activity.DisplayName = name;
    }

    /// <summary>
    /// Makes the sampling decision once: the sampler sees the route when routing has run. A span that is not
    /// recorded loses its recorded flag and stops collecting data, so that every listener (an OpenTelemetry
    /// exporter too) sees the same decision. Idempotent and safe from any thread.
    /// </summary>
    public void EnsureDecided()
    {
        if (_decided)
        {
            return;
        }

        lock (this)
        {
            if (_decided)
            {
                return;
            }

            if (_deciding)
            {
                // The sampler itself asked (say, for the trace headers): nothing is sampled until it has answered.
                _decision = new SamplingDecision(false, 0, null);
                return;
            }

            _deciding = true;
            try
            {
                Decide();
            }
            finally
            {
                _deciding = false;
            }

            _decided = true;
        }

        TracingLog.Decided(this);
    }

    /// <summary>
    /// Names the request's span after its method and URL path for now: built only if routing finds no route (most
    /// requests are named after theirs), and at the latest as the request ends.
    /// </summary>
    public void NameAfterUrlLater()
    {
        _name = null;
        TransactionSource = "url";
    }

    private string NameAfterUrl()
    {
        if (HttpContext?.Request is not { } request)
        {
            return Activity.DisplayName;
        }

        var name = request.Method + " " + RequestPath.Of(request);
        SetName(name, "url");
        return name;
    }

    /// <summary>
    /// Names the root span after the route template once routing has chosen an endpoint, or after its URL while there
    /// is none.
    /// </summary>
    public void RefreshName()
    {
        if (HttpContext is not { } context || TransactionSource == "route")
        {
            return;
        }

        if (RouteNaming.TryGetRouteTemplate(context, out var template))
        {
            SetName(RouteNameCache.Get(context.Request.Method, template), "route");
            Route = template;
            if (_decided && _recording)
            {
                Activity.SetTag(SpanTags.HttpRoute, template);
                Activity.SetTag(SpanTags.Source, TransactionSource);
            }
        }
        else if (_name is null)
        {
            NameAfterUrl();
        }
    }

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

        // A continued trace passes the caller's DSC on unchanged; only sample_rand may be filled in.
        if (Incoming?.Dsc is { } frozen)
        {
            return _dsc = Incoming.SampleRand is null && !frozen.IsEmpty
                ? DynamicSamplingContext.FromRawBaggage(Incoming.RawBaggage, Incoming.BaggageSummary, SampleRandText)
                : frozen;
        }

        RefreshName();
        var decision = Decision;
        var routeNamed = TransactionSource != "url";
        var head = DynamicSamplingContext.CreateHead(
            Activity.TraceId,
            Runtime.PublicKey,
            Runtime.Release,
            Runtime.Environment,
            Runtime.OrgId,
            routeNamed ? Name : null,
            decision.Sampled,
            SampleRandText,
            decision.SampleRate);

        // Once the name can no longer change, build the DSC only once.
        if (routeNamed || HttpContext is null)
        {
            _dsc = head;
        }

        return head;
    }

    private void Decide()
    {
        var incoming = Incoming;
        var request = HttpContext?.Request;
        var options = Runtime.Options;
        var route = Route;
        var decision = TraceSampler.Decide(new SamplingRequest
        {
            TracesSampleRate = options.TracesSampleRate,
            TracesSampler = options.TracesSampler,
            Name = options.TracesSampler is null ? string.Empty : Name,
            HttpMethod = request?.Method,
            HttpContext = HttpContext,
            Route = route,
            Endpoint = HttpContext?.GetEndpoint(),
            HasIncomingTrace = incoming is not null,
            ParentSampled = incoming?.Sampled,
            IncomingSampleRand = incoming?.SampleRand,
            IncomingSampleRate = incoming?.SampleRate,
            UnsampledHttpMethods = Runtime.UnsampledHttpMethods,
        });

        if (decision.SamplerException is { } failure)
        {
            TracingLog.SamplerFailed(Runtime.Logger, failure);
        }

        var activity = Activity;
        var record = decision.Sampled == true && Runtime.TracingEnabled && activity.Recorded;
        _decision = decision;
        _recording = record;
        if (!record)
        {
            activity.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
            activity.IsAllDataRequested = false;
            return;
        }

        activity.SetTag(SpanTags.Op, Op);
        activity.SetTag(SpanTags.Origin, Origin);
        if (request is not null)
        {
            activity.SetTag(SpanTags.Source, TransactionSource);
            activity.SetTag(SpanTags.HttpRequestMethod, request.Method);
            activity.SetTag(SpanTags.UrlPath, RequestPath.Of(request));
            if (route is not null)
            {
                activity.SetTag(SpanTags.HttpRoute, route);
            }
        }
    }
}
