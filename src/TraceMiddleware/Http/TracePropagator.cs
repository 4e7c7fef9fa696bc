using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using TraceMiddleware.Propagation;
using TraceMiddleware.Tracing;

namespace TraceMiddleware.Http;

/// <summary>
/// The <see cref="DistributedContextPropagator"/> every part of .NET asks: ASP.NET Core hosting (the one in a
/// host's services) to start the request's activity with the caller as parent, and .NET's own DiagnosticsHandler
/// (the process-wide one, and the one the library puts on factory clients' handlers) on every outgoing request and
/// redirect hop. It reads <c>sentry-trace</c> (and <c>traceparent</c> when allowed) and holds every header to the
/// propagation targets: a target gets ours, any other URL none at all, not even .NET's own.
/// </summary>
/// <remarks>
/// An instance made for a host knows its settings; the process-wide one finds a request's host through the root
/// of the span the request is made from, and with no root of ours sends nothing (it cannot know whose targets
/// apply). Extraction with no host uses the defaults. Carriers other than HTTP requests are left to the
/// propagator that was there before.
/// </remarks>
internal sealed class TracePropagator : DistributedContextPropagator
{
    private static readonly object s_gate = new();
    private static DistributedContextPropagator? s_original;

    private readonly TracingRuntime? _runtime;
    private readonly DistributedContextPropagator _inner;
    private readonly IReadOnlyCollection<string> _fields;

    public TracePropagator(TracingRuntime? runtime, DistributedContextPropagator inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _runtime = runtime;
        _inner = inner is TracePropagator ours ? ours._inner : inner;
        var fields = new HashSet<string>(_inner.Fields, StringComparer.OrdinalIgnoreCase);
        fields.UnionWith(TraceHeaderNames.All);
        _fields = [.. fields];
    }

    /// <summary>
    /// The process-wide propagator as it was before the library replaced it (.NET's default, or the app's own):
    /// what other carriers are given to.
    /// </summary>
    public static DistributedContextPropagator Original
    {
        get
        {
            Install();
            return s_original!;
        }
    }

    /// <summary>All headers this propagator may write; .NET removes them before injecting again on a redirect.</summary>
    public override IReadOnlyCollection<string> Fields => _fields;

    /// <summary>Makes the process-wide propagator ours, once, before HttpClient handlers are built (they read it then).</summary>
    public static void Install()
    {
        lock (s_gate)
        {
            if (Current is not TracePropagator)
            {
                s_original = Current;
                Current = new TracePropagator(null, Current);
            }
        }
    }

    public override void Inject(Activity? activity, object? carrier, PropagatorSetterCallback? setter)
    {
        if (carrier is HttpRequestMessage request)
        {
            Inject(activity ?? Activity.Current, request);
            return;
        }

        _inner.Inject(activity, carrier, setter);
    }

    public override void ExtractTraceIdAndState(object? carrier, PropagatorGetterCallback? getter, out string? traceId, out string? traceState)
    {
        var options = _runtime?.Options;
        var continueFromTraceparent = options?.ContinueFromTraceparent ?? true;
        var orgId = _runtime?.OrgId;
        var strict = options?.StrictTraceContinuation ?? false;
        IncomingParent parent;
        var found = carrier is IHeaderDictionary headers
            ? IncomingTrace.TryReadParentContext(new RequestTraceHeaders(headers), continueFromTraceparent, orgId, strict, out parent, out traceState)
            : IncomingTrace.TryReadParentContext(new GetterTraceHeaders(carrier, getter), continueFromTraceparent, orgId, strict, out parent, out traceState);
        traceId = found ? ParentTraceparent(parent) : null;
    }

    /// <summary>
    /// Incoming baggage is not copied onto the activity: the library carries the Sentry members and the
    /// third-party ones itself, and only to the targets.
    /// </summary>
    public override IEnumerable<KeyValuePair<string, string?>>? ExtractBaggage(object? carrier, PropagatorGetterCallback? getter) => null;

    /// <summary>The caller as the parent of ASP.NET Core's activity: <c>00-{trace}-{span}-{flags}</c>.</summary>
    private static string ParentTraceparent(IncomingParent parent)
    {
        // A trace id without a span id still joins the trace, under a made-up parent that is never reported.
        var spanId = parent.HasSpanId ? parent.SpanId : HexId.FromActivitySpanId(ActivitySpanId.CreateRandom());
        return string.Create(TraceParentHeader.Length, (parent.TraceId, spanId, parent.Sampled == true), static (text, p) =>
        {
            "00-".CopyTo(text);
            HexId.TryFormatTraceId(p.TraceId, text[3..], out _);
            text[35] = '-';
            HexId.TryFormatSpanId(p.spanId, text[36..], out _);
            text[52] = '-';
            text[53] = '0';
            text[54] = p.Item3 ? '1' : '0';
        });
    }

    private void Inject(Activity? activity, HttpRequestMessage request)
    {
        var root = TraceRoot.Find(activity);
        var runtime = root?.Runtime ?? _runtime;
        var uri = request.RequestUri;
        if (request.Options.TryGetValue(PropagationMark.Key, out var mark) && mark.DecidedFor == uri && mark.ByHandler)
        {
            // The library's own handler (on a client where .NET asks no propagator of ours) decided for this URL.
            return;
        }

        if (runtime is null)
        {
            // No host of ours to ask for targets: nothing leaves.
            request.Options.Set(PropagationMark.Key, new PropagationMark(uri, sent: false, byHandler: false));
            return;
        }

        var redirected = mark is not null;
        if (uri is null || !uri.IsAbsoluteUri || !runtime.Targets.TryMatch(uri, out var target))
        {
            if (redirected)
            {
                // The request is reused for the redirect with every header it had.
                TraceHeaderNames.RemoveAll(request);
                TracingLog.RedirectWithheld(runtime.Logger, uri?.ToString() ?? "(no URL)");
            }
            else if (runtime.Logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Debug))
            {
                TracingLog.OutgoingWithheld(runtime.Logger, request.Method.Method, TargetUrl.ForLog(uri), runtime.Targets.Describe());
            }

            NameSpan(activity, root, request);
            request.Options.Set(PropagationMark.Key, new PropagationMark(uri, sent: false, byHandler: false));
            return;
        }

        var sent = false;
        if (activity is not null)
        {
            NameSpan(activity, root, request);
            var span = OutgoingTraceInjector.W3CSpan(activity);
            var headers = OutgoingTraceInjector.Apply(request, span, root, runtime, root is null ? span.Recorded : null);
            sent = true;
            if (runtime.Logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Debug))
            {
                TracingLog.OutgoingPropagated(runtime.Logger, request.Method.Method, TargetUrl.ForLog(uri), OutgoingTraceInjector.Describe(headers), target!.Description);
            }
        }

        request.Options.Set(PropagationMark.Key, new PropagationMark(uri, sent, byHandler: false));
    }

    private static void NameSpan(Activity? activity, TraceRoot? root, HttpRequestMessage request)
    {
        if (activity is not null && root is not null && !ReferenceEquals(activity, root.Activity) && activity.Source.Name == SpanListener.HttpClientSourceName)
        {
            HttpClientSpan.Name(activity, request);
        }
    }
}
