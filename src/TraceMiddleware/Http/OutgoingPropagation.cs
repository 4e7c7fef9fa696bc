using System.Diagnostics;
using Microsoft.Extensions.Logging;
using TraceMiddleware.Propagation;
using TraceMiddleware.Tracing;

namespace TraceMiddleware.Http;

/// <summary>
/// Decides the trace headers of an outgoing request at the URL it is about to be sent to: a propagation target gets
/// the trace of <c>span</c>; any other URL none, and a request that was sent before (a redirect, a URL rewritten since)
/// loses the ones it carried. Asked on every hop: by .NET's DiagnosticsHandler through <see cref="TracePropagator"/>,
/// or by <see cref="TraceHeaderGuardHandler"/> where .NET asks no propagator of ours.
/// </summary>
internal static class OutgoingPropagation
{
    /// <param name="request">The request, at the URL it goes to now.</param>
    /// <param name="span">The span the request is made from (its id becomes the callee's parent).</param>
    /// <param name="hostRuntime">The host the client belongs to, when known; otherwise the host of the span's root.</param>
    /// <param name="byHandler">Whether the library's own handler decides (rather than .NET's per-hop hook).</param>
    public static void Decide(HttpRequestMessage request, Activity? span, TracingRuntime? hostRuntime, bool byHandler)
    {
        var root = TraceRoot.Find(span);
        if (root is not null && !byHandler && span is not null && span.Source.Name == SpanListener.HttpClientSourceName)
        {
            root.OnClientSpanGuarded();
        }

        var runtime = root?.Runtime ?? hostRuntime;
        var uri = request.RequestUri;
        request.Options.TryGetValue(PropagationMark.Key, out var previous);
        if (runtime is null)
        {
            // No host of ours to ask for targets: nothing leaves.
            Mark(request, uri, sent: false, byHandler);
            return;
        }

        var logger = runtime.Logger;
        if (uri is null || !uri.IsAbsoluteUri || !runtime.Targets.TryMatch(uri, out var target))
        {
            if (previous is not null && previous.DecidedFor != uri)
            {
                // The request is reused for the redirect with every header it had.
                TraceHeaderNames.RemoveAll(request);
                TracingLog.RedirectWithheld(logger, TargetUrl.ForLog(uri));
            }
            else if (logger.IsEnabled(LogLevel.Debug))
            {
                TracingLog.OutgoingWithheld(logger, request.Method.Method, TargetUrl.ForLog(uri), runtime.Targets.Describe());
            }

            NameClientSpan(span, root, request);
            Mark(request, uri, sent: false, byHandler);
            return;
        }

        if (span is null)
        {
            Mark(request, uri, sent: false, byHandler);
            return;
        }

        NameClientSpan(span, root, request);
        var w3c = TraceHeaderWriter.W3CSpan(span);
        var headers = OutgoingTraceInjector.Apply(request, w3c, root, runtime, root is null ? w3c.Recorded : null);
        Mark(request, uri, sent: true, byHandler);
        if (logger.IsEnabled(LogLevel.Debug))
        {
            TracingLog.OutgoingPropagated(logger, request.Method.Method, TargetUrl.ForLog(uri), OutgoingTraceInjector.Describe(headers), target.Description);
        }
    }

    private static void Mark(HttpRequestMessage request, Uri? uri, bool sent, bool byHandler) =>
        request.Options.Set(PropagationMark.Key, new PropagationMark(uri, sent, byHandler));

    /// <summary>.NET's client span is named after the request it carries (Sentry's <c>GET http://host/path</c>).</summary>
    private static void NameClientSpan(Activity? span, TraceRoot? root, HttpRequestMessage request)
    {
        if (span is not null && root is not null && !ReferenceEquals(span, root.Activity) && span.Source.Name == SpanListener.HttpClientSourceName)
        {
            HttpClientSpan.Name(span, request);
        }
    }
}
