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
    private static int s_reinstallLogged;

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
    public static DistributedContextPropagator Original =>
        s_original ?? (Current is TracePropagator ours ? ours._inner : Current);

    /// <summary>All headers this propagator may write; .NET removes them before injecting again on a redirect.</summary>
    public override IReadOnlyCollection<string> Fields => _fields;

    /// <summary>Makes the process-wide propagator ours, once, before HttpClient handlers are built (they read it then).</summary>
    public static void Install() => Replace();

    /// <summary>
    /// Makes the process-wide propagator ours again when the app replaced it after <c>AddTracing()</c>: handlers
    /// built from now on hold their headers to the targets again, and the app's propagator still serves every other
    /// carrier. Said once, as a warning: handlers built in between keep the app's propagator.
    /// </summary>
    public static void EnsureInstalled(Microsoft.Extensions.Logging.ILogger logger)
    {
        if (Current is TracePropagator)
        {
            return;
        }

        var replacedBy = Current.GetType().FullName ?? Current.GetType().Name;
        if (Replace() && Interlocked.Exchange(ref s_reinstallLogged, 1) == 0)
        {
            TracingLog.PropagatorReplaced(logger, replacedBy);
        }
    }

    private static bool Replace()
    {
        lock (s_gate)
        {
            if (Current is TracePropagator)
            {
                return false;
            }

            s_original ??= Current;
            Current = new TracePropagator(null, Current);
            return true;
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
        var flags = (parent.Sampled == true ? 1 : 0) | (parent.RandomTraceId ? 2 : 0);
        return string.Create(TraceParentHeader.Length, (parent.TraceId, spanId, flags), static (text, p) =>
        {
            "00-".CopyTo(text);
            HexId.TryFormatTraceId(p.TraceId, text[3..], out _);
            text[35] = '-';
            HexId.TryFormatSpanId(p.spanId, text[36..], out _);
            text[52] = '-';
            text[53] = '0';
            text[54] = (char)('0' + p.flags);
        });
    }

    private void Inject(Activity? activity, HttpRequestMessage request)
    {
        if (request.Options.TryGetValue(PropagationMark.Key, out var mark) && mark.ByHandler && mark.DecidedFor == request.RequestUri)
        {
            // The library's own handler (on a client where .NET asks no propagator of ours) decided for this URL.
            return;
        }

        OutgoingPropagation.Decide(request, activity, _runtime, byHandler: false);
    }
}
