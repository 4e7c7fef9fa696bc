using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TraceMiddleware.Configuration;
using TraceMiddleware.DependencyInjection;
using TraceMiddleware.Export.Sentry;
using TraceMiddleware.Propagation;

namespace TraceMiddleware.Tracing;

/// <summary>
/// One host's resolved tracing settings, its activity listener, and the operations every entry point shares
/// (the middleware, the HttpClient handler and propagator, the tag helper, the manual API): start a root span of
/// our own, start a child. A singleton in the host's services: two hosts in one process never share one.
/// </summary>
internal sealed class TracingRuntime : IDisposable
{
    private readonly SpanListener _listener;
    private int _unguardedLogged;

    /// <param name="options">The host's tracing options.</param>
    /// <param name="environment">The host environment: the default <c>Environment</c>.</param>
    /// <param name="loggerFactory">The host's loggers.</param>
    /// <param name="dsn">The host's DSN, parsed once; <see langword="null"/> to parse <see cref="TracingOptions.Dsn"/> here.</param>
    /// <param name="hostingSource">
    /// The host's own <c>Microsoft.AspNetCore</c> activity source (ASP.NET Core registers one per host): the request
    /// spans this runtime enriches and samples. <see langword="null"/> outside ASP.NET Core.
    /// </param>
    public TracingRuntime(IOptions<TracingOptions> options, IHostEnvironment? environment = null, ILoggerFactory? loggerFactory = null, ConfiguredSentryDsn? dsn = null, ActivitySource? hostingSource = null)
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
        HostingSource = hostingSource?.Name == HostingActivitySourceName ? hostingSource : null;
        _listener = new SpanListener(this);
    }

    /// <summary>The name of ASP.NET Core's activity source, whose request activity is the <c>http.server</c> span.</summary>
    public const string HostingActivitySourceName = "Microsoft.AspNetCore";

    public TracingOptions Options { get; }

    public ILogger Logger { get; }

    public SentryDsn? Dsn { get; }

    public string? PublicKey { get; }

    public string? OrgId { get; }

    public string? Release { get; }

    public string Environment { get; }

    public TracePropagationTargetList Targets { get; }

    public string[] UnsampledHttpMethods { get; }

    /// <summary>This host's <c>Microsoft.AspNetCore</c> source; <see langword="null"/> outside ASP.NET Core.</summary>
    public ActivitySource? HostingSource { get; }

    /// <summary>Whether spans are recorded at all: a rate or a sampler is set. Otherwise only headers flow.</summary>
    public bool TracingEnabled => Options.TracesSampleRate is not null || Options.TracesSampler is not null;

    /// <summary>Whether the sampling decision waits for routing: only a <c>TracesSampler</c> can use the route.</summary>
    public bool DecidesAfterRouting => Options.TracesSampler is not null;

    /// <summary>Called for every span of one of this host's traces that ends; export hooks in here.</summary>
    public Action<Activity, TraceRoot>? SpanStopped { get; set; }

    /// <summary>
    /// Starts a local root span of our own source (a Sentry transaction started with <see cref="SentryTracer"/>,
    /// or a request span where ASP.NET Core's own cannot serve): continues <paramref name="incoming"/> when given,
    /// otherwise starts a new trace. The sampling decision is made before the span starts, unless
    /// <paramref name="configure"/> leaves it to routing.
    /// </summary>
    /// <param name="name">The span name.</param>
    /// <param name="kind">The span kind.</param>
    /// <param name="incoming">The trace to continue, or <see langword="null"/> for a new trace.</param>
    /// <param name="configure">Sets up the root's state (op, request, naming) before the span starts.</param>
    public TraceRoot StartRoot(string name, ActivityKind kind, IncomingTrace? incoming, Func<Activity, TraceRoot> configure)
    {
        ActivityContext parent = default;
        if (incoming is not null)
        {
            // A caller that sent a trace id without a span id gets a made-up parent id that is never reported,
            // so the span still joins the caller's trace.
            var parentSpan = incoming.HasParentSpanId ? HexId.ToActivitySpanId(incoming.ParentSpanId) : ActivitySpanId.CreateRandom();
            parent = new ActivityContext(HexId.ToActivityTraceId(incoming.TraceId), parentSpan, ActivityTraceFlags.None, isRemote: true);
        }

        // A new trace must not become the child of whatever is current (for example ASP.NET Core's own activity,
        // which may have continued a caller we do not trust); our spans always carry W3C ids, whatever the
        // process's default id format.
        var previous = Activity.Current;
        Activity.Current = null;
        Activity activity;
        try
        {
            activity = TraceMiddlewareActivitySource.Source.CreateActivity(name, kind, parent, idFormat: ActivityIdFormat.W3C)
                ?? new Activity(name);
        }
        finally
        {
            Activity.Current = previous;
        }

        var root = configure(activity);
        TraceRoot.Attach(activity, root);
        if (!DecidesAfterRouting || root.HttpContext is null)
        {
            root.EnsureDecided();
        }

        if (incoming is null)
        {
            // Start makes whatever is current the parent of a span that has none.
            Activity.Current = null;
        }

        activity.Start();
        return root;
    }

    /// <summary>Starts a child of the current span, recorded when its trace is.</summary>
    public Activity? StartChild(string name, string op, string origin, ActivityKind kind, TraceRoot root)
    {
        root.EnsureDecided();

        // W3C ids whatever the process's default: a Sentry span needs them.
        var activity = TraceMiddlewareActivitySource.Source.CreateActivity(name, kind, parentContext: default, idFormat: ActivityIdFormat.W3C);
        activity?.Start();
        if (activity is not null && root.Recording)
        {
            activity.SetTag(SpanTags.Op, op);
            activity.SetTag(SpanTags.Origin, origin);
        }

        return activity;
    }

    internal void OnSpanStopped(Activity activity, TraceRoot root) => SpanStopped?.Invoke(activity, root);

    /// <summary>Says once that outgoing requests went out with another propagator than the library's (event 1008).</summary>
    internal void OnUnguardedClients(int count, string transaction)
    {
        if (Interlocked.Exchange(ref _unguardedLogged, 1) == 0)
        {
            TracingLog.UnguardedClients(Logger, count, transaction);
        }
    }

    public void Dispose() => _listener.Dispose();
}
