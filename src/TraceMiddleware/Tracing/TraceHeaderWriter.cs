using System.Diagnostics;
using TraceMiddleware.Propagation;

namespace TraceMiddleware.Tracing;

/// <summary>Builds the headers that carry a span's trace to the next service or to the browser.</summary>
internal static class TraceHeaderWriter
{
    /// <summary>
    /// The headers for a call made from <paramref name="span"/>: its trace and span ids, the trace's
    /// decision and DSC, and, as configured, third-party baggage and <c>traceparent</c>/<c>tracestate</c>.
    /// </summary>
    /// <param name="span">The span the call is made from; its id becomes the callee's parent.</param>
    /// <param name="root">Our local root of that span, or <see langword="null"/> when another instrumentation (or nothing) started the trace.</param>
    /// <param name="runtime">The host's settings.</param>
    /// <param name="includeW3C">Whether to add <c>traceparent</c> and <c>tracestate</c>.</param>
    /// <param name="appBaggage">Baggage the app set on the request itself, merged per PROTOCOL.md §2.</param>
    /// <param name="foreignSampled">The decision when there is no root of ours (the foreign span's recorded flag; <see langword="null"/> when none).</param>
    public static TraceHeaders Create(Activity span, TraceRoot? root, TracingRuntime runtime, bool includeW3C, string? appBaggage = null, bool? foreignSampled = null)
    {
        span = W3CSpan(span);
        if (span.IdFormat != ActivityIdFormat.W3C || span.TraceId == default)
        {
            // No span with W3C ids to name: Sentry's ids are W3C, and a zero id is no id.
            return default;
        }

        var sampled = root is not null ? root.Sampled : foreignSampled;
        var header = new SentryTraceHeader(span.TraceId, span.SpanId, sampled);

        var dsc = root?.GetDynamicSamplingContext() ?? ForeignDsc(span, runtime, sampled);
        var thirdParty = runtime.Options.PropagateThirdPartyBaggage ? root?.ThirdPartyBaggage : null;
        var baggage = Baggage.BuildOutgoing(appBaggage, dsc, thirdParty);

        string? traceparent = null;
        string? tracestate = null;
        if (includeW3C)
        {
            // Deferred is sent as not sampled (flags 00), as Sentry's SDKs do. The random flag is the caller's
            // traceparent's; a trace started here has a random id; a foreign root's id is unknown, so unset.
            var flags = (sampled == true ? ActivityTraceFlags.Recorded : ActivityTraceFlags.None)
                | (root is not null && (root.Incoming?.RandomTraceId ?? true) ? TraceParentHeader.RandomTraceIdFlag : ActivityTraceFlags.None);
            traceparent = new TraceParentHeader(span.TraceId, span.SpanId, flags).ToString();
            tracestate = root?.TraceState;
        }

        return new TraceHeaders(header.ToString(), baggage, traceparent, tracestate);
    }

    /// <summary>
    /// The span whose id the callee gets as its parent: <paramref name="activity"/>, or, when the process makes
    /// hierarchical ids (<c>Activity.DefaultIdFormat</c>), its nearest ancestor with W3C ids.
    /// </summary>
    public static Activity W3CSpan(Activity activity)
    {
        for (var a = activity; a is not null; a = a.Parent)
        {
            if (a.IdFormat == ActivityIdFormat.W3C)
            {
                return a;
            }
        }

        return activity;
    }

    /// <summary>A head DSC for a trace some other instrumentation started (no root span of ours).</summary>
    private static DynamicSamplingContext ForeignDsc(Activity span, TracingRuntime runtime, bool? sampled) =>
        DynamicSamplingContext.CreateHead(span.TraceId, runtime.PublicKey, runtime.Release, runtime.Environment, runtime.OrgId, null, sampled, null, null);
}
