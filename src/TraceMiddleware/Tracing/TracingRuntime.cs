using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TraceMiddleware.DependencyInjection;
using TraceMiddleware.Export.Sentry;
using TraceMiddleware.Propagation;
using TraceMiddleware.Sampling;

namespace TraceMiddleware.Tracing;

/// <summary>
/// One host's resolved tracing settings and the operations every entry point shares (the middleware,
/// the HttpClient handler, the tag helper, the manual API): start a root span, start a child, read the
/// headers to send.
/// </summary>
internal sealed class TracingRuntime
{
    private static TracingRuntime? s_latest;

    public TracingRuntime(IOptions<TracingOptions> options, IHostEnvironment? environment = null, ILoggerFactory? loggerFactory = null, ConfiguredSentryDsn? dsn = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Value;
        Options = o;
        Logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("TraceMiddleware");

        Dsn = (dsn ?? new ConfiguredSentryDsn(() => o.Dsn)).Value;
        PublicKey = Dsn?.PublicKey;
        OrgId = string.IsNullOrEmpty(o.OrgId) ? Dsn?.OrgId : o.OrgId;
        Release = o.Release;
        Environment = !string.IsNullOrEmpty(o.Environment)
            ? o.Environment
            : environment?.EnvironmentName is { Length: > 0 } name ? name.ToLowerInvariant() : "production";
        Targets = o.TracePropagationTargets is { } targets
            ? new TracePropagationTargetList(targets)
            : TracePropagationTargetList.Default;
        UnsampledHttpMethods = [.. o.UnsampledHttpMethods];

        SpanListener.EnsureStarted();
        Volatile.Write(ref s_latest, this);
    }

    /// <summary>
    /// The runtime most recently built in this process: used where no span says which host a call
    /// belongs to (a plain <c>new HttpClient()</c> outside any request).
    /// </summary>
    public static TracingRuntime? Latest => Volatile.Read(ref s_latest);

    public TracingOptions Options { get; }

    public ILogger Logger { get; }

    public SentryDsn? Dsn { get; }

    public string? PublicKey { get; }

    public string? OrgId { get; }

    public string? Release { get; }

    public string Environment { get; }

    public TracePropagationTargetList Targets { get; }

    public string[] UnsampledHttpMethods { get; }

    /// <summary>The paths of this host's Sentry tunnels, which the middleware leaves untraced.</summary>
    public AspNetCore.Tunnel.SentryTunnelRoutes TunnelRoutes { get; } = new();

    /// <summary>Whether spans are recorded at all: a rate or a sampler is set. Otherwise only headers flow.</summary>
    public bool TracingEnabled => Options.TracesSampleRate is not null || Options.TracesSampler is not null;

    /// <summary>Called by the listener for every span of ours that ends; export hooks in here.</summary>
    public Action<Activity, TraceRoot>? SpanStopped { get; set; }

    /// <summary>
    /// Starts a local root span (a Sentry transaction): continues <paramref name="incoming"/> when given,
    /// otherwise starts a new trace, and decides sampling.
    /// </summary>
    public TraceRoot? StartRoot(string name, string op, string origin, ActivityKind kind, IncomingTrace? incoming, string? httpMethod, HttpContext? httpContext)
    {
        var decision = TraceSampler.Decide(new SamplingRequest
        {
            TracesSampleRate = Options.TracesSampleRate,
            TracesSampler = Options.TracesSampler,
            Name = name,
            HttpMethod = httpMethod,
            HttpContext = httpContext,
            HasIncomingTrace = incoming is not null,
            ParentSampled = incoming?.Sampled,
            IncomingSampleRand = incoming?.SampleRand,
            IncomingSampleRate = incoming?.SampleRate,
            UnsampledHttpMethods = UnsampledHttpMethods,
        });

        if (decision.SamplerException is { } failure)
        {
            TracingLog.SamplerFailed(Logger, failure);
        }

        var record = decision.Sampled == true && TracingEnabled;
        Activity? activity;
        var synthetic = false;
        if (incoming is not null)
        {
            // A caller that sent a trace id without a span id gets a made-up parent id that is
            // never reported, so the span still joins the caller's trace.
            synthetic = !incoming.HasParentSpanId;
            var parentSpan = synthetic ? ActivitySpanId.CreateRandom() : HexId.ToActivitySpanId(incoming.ParentSpanId);
            var parent = new ActivityContext(
                HexId.ToActivityTraceId(incoming.TraceId),
                parentSpan,
                record ? ActivityTraceFlags.Recorded : ActivityTraceFlags.None,
                isRemote: true);
            activity = SpanListener.Start(name, kind, parent, record);
        }
        else
        {
            // A new trace must not become the child of whatever is current (for example ASP.NET Core's
            // own activity, which extracted traceparent from a caller we may not trust).
            var previous = Activity.Current;
            Activity.Current = null;
            activity = SpanListener.Start(name, kind, default, record);
            if (activity is null)
            {
                Activity.Current = previous;
            }
        }

        if (activity is null)
        {
            return null;
        }

        var root = new TraceRoot(this, activity, decision, incoming) { SyntheticParent = synthetic, Recording = record };
        activity.SetCustomProperty(TraceRoot.PropertyName, root);
        if (activity.IsAllDataRequested)
        {
            activity.SetTag(SpanTags.Op, op);
            activity.SetTag(SpanTags.Origin, origin);
        }

        return root;
    }

    /// <summary>Starts a child of the current span, recorded when its trace is sampled.</summary>
    public Activity? StartChild(string name, string op, string origin, ActivityKind kind, TraceRoot root)
    {
        var activity = SpanListener.Start(name, kind, default, root.Recording);
        if (activity is not null && activity.IsAllDataRequested)
        {
            activity.SetTag(SpanTags.Op, op);
            activity.SetTag(SpanTags.Origin, origin);
        }

        return activity;
    }

    internal void OnSpanStopped(Activity activity, TraceRoot root) => SpanStopped?.Invoke(activity, root);
}
