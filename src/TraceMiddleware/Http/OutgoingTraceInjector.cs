using System.Diagnostics;
using TraceMiddleware.Tracing;

namespace TraceMiddleware.Http;

/// <summary>Puts a span's trace headers on a request to a propagation target; shared by the handler and the propagator.</summary>
internal static class OutgoingTraceInjector
{
    /// <summary>
    /// Adds the headers. A <c>sentry-trace</c> the app set itself is left alone with its baggage (the app
    /// decided for that request); baggage the app set is merged with ours; W3C headers the app set win.
    /// </summary>
    public static TraceHeaders Apply(HttpRequestMessage request, Activity span, TraceRoot? root, TracingRuntime runtime, bool? foreignSampled)
    {
        var h = request.Headers;
        if (h.Contains(TraceHeaderNames.SentryTrace))
        {
            return default;
        }

        string? appBaggage = null;
        if (h.TryGetValues(TraceHeaderNames.Baggage, out var values))
        {
            appBaggage = string.Join(',', values);
            h.Remove(TraceHeaderNames.Baggage);
        }

        var headers = TraceHeaderWriter.Create(span, root, runtime, runtime.Options.PropagateTraceparent, appBaggage, foreignSampled);
        if (headers.IsEmpty)
        {
            if (appBaggage is not null)
            {
                h.TryAddWithoutValidation(TraceHeaderNames.Baggage, appBaggage);
            }

            return headers;
        }

        h.TryAddWithoutValidation(TraceHeaderNames.SentryTrace, headers.SentryTrace);
        if (headers.Baggage is { } baggage)
        {
            h.TryAddWithoutValidation(TraceHeaderNames.Baggage, baggage);
        }

        if (headers.TraceParent is { } traceparent && !h.Contains(TraceHeaderNames.TraceParent))
        {
            h.TryAddWithoutValidation(TraceHeaderNames.TraceParent, traceparent);
            if (headers.TraceState is { } tracestate && !h.Contains(TraceHeaderNames.TraceState))
            {
                h.TryAddWithoutValidation(TraceHeaderNames.TraceState, tracestate);
            }
        }

        return headers;
    }

    public static string Describe(TraceHeaders headers) => headers.IsEmpty
        ? "the app's own sentry-trace kept"
        : headers.TraceParent is null ? "sentry-trace, baggage" : "sentry-trace, baggage, traceparent";
}
