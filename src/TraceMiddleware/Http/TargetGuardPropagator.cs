using System.Diagnostics;
using TraceMiddleware.Tracing;

namespace TraceMiddleware.Http;

/// <summary>
/// Replaces <see cref="DistributedContextPropagator.Current"/> so that .NET's own DiagnosticsHandler,
/// which runs inside <c>SocketsHttpHandler</c> for every HttpClient (also <c>new HttpClient()</c>) and
/// again on every redirect hop, asks the same target list as our handler: a target gets our headers, any
/// other URL none at all (not even .NET's <c>traceparent</c> and <c>baggage</c>).
/// </summary>
/// <remarks>
/// The propagator is process-wide, so several hosts in one process each find their own targets through
/// the trace root of the current span; with no span of ours, the most recently built host decides.
/// Extraction and non-HTTP carriers are passed to the propagator that was current before.
/// </remarks>
internal sealed class TargetGuardPropagator : DistributedContextPropagator
{
    private static readonly object s_gate = new();

    private readonly DistributedContextPropagator _inner;
    private readonly IReadOnlyCollection<string> _fields;

    private TargetGuardPropagator(DistributedContextPropagator inner)
    {
        _inner = inner;
        var fields = new HashSet<string>(inner.Fields, StringComparer.OrdinalIgnoreCase);
        fields.UnionWith(TraceHeaderNames.All);
        _fields = [.. fields];
    }

    /// <summary>All headers this propagator may write; .NET removes them before re-injecting on a redirect.</summary>
    public override IReadOnlyCollection<string> Fields => _fields;

    /// <summary>Installs the guard once per process, before any HttpClient handler is built.</summary>
    public static void Install()
    {
        lock (s_gate)
        {
            if (Current is not TargetGuardPropagator)
            {
                Current = new TargetGuardPropagator(Current);
            }
        }
    }

    public override void Inject(Activity? activity, object? carrier, PropagatorSetterCallback? setter)
    {
        if (carrier is not HttpRequestMessage request)
        {
            _inner.Inject(activity, carrier, setter);
            return;
        }

        var uri = request.RequestUri;
        if (request.Options.TryGetValue(PropagationMark.Key, out var mark) && mark.DecidedFor == uri)
        {
            // Our handler already decided for this very URL and added what it should.
            return;
        }

        var root = TraceRoot.Find(activity ?? Activity.Current);
        var runtime = root?.Runtime ?? TracingRuntime.Latest;
        if (runtime is null)
        {
            _inner.Inject(activity, carrier, setter);
            return;
        }

        var redirected = mark is not null;
        if (uri is null || !uri.IsAbsoluteUri || !runtime.Targets.IsMatch(uri))
        {
            if (redirected)
            {
                // The request is reused for the redirect with every header it had.
                TraceHeaderNames.RemoveAll(request);
                TracingLog.RedirectWithheld(runtime.Logger, uri?.ToString() ?? "(no URL)");
            }
            else if (runtime.Logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Debug))
            {
                TracingLog.OutgoingWithheld(runtime.Logger, request.Method.Method, uri?.ToString() ?? "(no URL)", runtime.Targets.Describe());
            }

            request.Options.Set(PropagationMark.Key, new PropagationMark(uri, sent: false));
            return;
        }

        var span = NearestOwnSpan(activity) ?? activity ?? Activity.Current;
        if (span is not null)
        {
            var foreignSampled = root is null ? span.Recorded : (bool?)null;
            OutgoingTraceInjector.Apply(request, span, root, runtime, foreignSampled);
        }

        request.Options.Set(PropagationMark.Key, new PropagationMark(uri, sent: span is not null));
    }

    public override void ExtractTraceIdAndState(object? carrier, PropagatorGetterCallback? getter, out string? traceId, out string? traceState) =>
        _inner.ExtractTraceIdAndState(carrier, getter, out traceId, out traceState);

    public override IEnumerable<KeyValuePair<string, string?>>? ExtractBaggage(object? carrier, PropagatorGetterCallback? getter) =>
        _inner.ExtractBaggage(carrier, getter);

    /// <summary>
    /// .NET's own HttpRequestOut activity is reported to no one by default; the callee's parent is
    /// the nearest span that is.
    /// </summary>
    private static Activity? NearestOwnSpan(Activity? activity)
    {
        for (var a = activity; a is not null; a = a.Parent)
        {
            if (ReferenceEquals(a.Source, TraceMiddlewareActivitySource.Source))
            {
                return a;
            }
        }

        return null;
    }
}
