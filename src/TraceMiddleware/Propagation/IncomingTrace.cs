using Microsoft.Extensions.Primitives;

namespace TraceMiddleware.Propagation;

/// <summary>
/// The trace a request or message arrived with, read from its headers: the caller's trace and span
/// ids, its decision, the frozen Dynamic Sampling Context and the members to pass on.
/// </summary>
internal sealed class IncomingTrace
{
    private Baggage? _thirdParty;

    public UInt128 TraceId { get; private init; }

    public ulong ParentSpanId { get; private init; }

    public bool HasParentSpanId { get; private init; }

    public bool? Sampled { get; private init; }

    /// <summary>The frozen DSC; <see langword="null"/> when the caller sent no Sentry baggage and a local head DSC is to be built (traceparent only).</summary>
    /// <remarks>Its entries are read from the raw header only when first asked for.</remarks>
    public DynamicSamplingContext? Dsc { get; private init; }

    /// <summary>The incoming <c>baggage</c> values, as they arrived.</summary>
    public StringValues RawBaggage { get; private init; }

    /// <summary>What the continuation and the sampling decision need from the baggage, read without materialising it.</summary>
    public SentryBaggageSummary BaggageSummary { get; private init; }

    /// <summary>The frozen DSC's <c>sample_rand</c>; <see langword="null"/> when it has none.</summary>
    public string? SampleRand => Dsc is null ? null : BaggageSummary.SampleRand;

    /// <summary>The frozen DSC's <c>sample_rate</c>; <see langword="null"/> when it has none.</summary>
    public string? SampleRate => Dsc is null ? null : BaggageSummary.SampleRate;

    /// <summary>The incoming non-Sentry members to pass on, parsed from the raw header on first use.</summary>
    public Baggage ThirdPartyBaggage
    {
        get
        {
            if (!BaggageSummary.HasThirdPartyMembers)
            {
                return Baggage.Empty;
            }

            return _thirdParty ??= Baggage.Parse(RawBaggage).ThirdPartyMembers();
        }
    }

    public string? TraceState { get; private init; }

    public ContinuationOutcome Outcome { get; private init; }

    /// <summary>
    /// Reads the incoming headers, each only when needed: <c>traceparent</c> only without a <c>sentry-trace</c>,
    /// <c>baggage</c> and <c>tracestate</c> only for a trace to continue. Returns <see langword="null"/> (a new
    /// trace) when there is nothing valid to continue or the org check fails; <paramref name="outcome"/> says which.
    /// </summary>
    public static IncomingTrace? Read<THeaders>(
        THeaders headers,
        bool continueFromTraceparent,
        string? localOrgId,
        bool strictOrgCheck,
        out ContinuationOutcome outcome)
        where THeaders : ITraceHeaders
    {
        if (!TryReadParent(headers, continueFromTraceparent, out var parent, out outcome))
        {
            return null;
        }

        var baggage = headers.Get(Baggage.HeaderName);
        var summary = SentryBaggageSummary.Read(baggage);
        if (!OrgMatches(summary.OrgId, localOrgId, strictOrgCheck))
        {
            outcome = ContinuationOutcome.OrgMismatch;
            return null;
        }

        return new IncomingTrace
        {
            TraceId = parent.TraceId,
            ParentSpanId = parent.SpanId,
            HasParentSpanId = parent.HasSpanId,
            Sampled = parent.Sampled,

            // sentry-trace freezes the caller's DSC even when empty (Sentry's SDKs then send no Sentry
            // baggage on). An OpenTelemetry caller sends none: this service is then the head of the Sentry
            // part of the trace and builds the DSC itself.
            Dsc = outcome == ContinuationOutcome.ContinuedFromTraceparent && !summary.HasSentryMembers
                ? null
                : DynamicSamplingContext.FromRawBaggage(baggage, summary, null),
            RawBaggage = baggage,
            BaggageSummary = summary,
            TraceState = ReadTraceState(headers.Get(TraceStateHeader.HeaderName)),
            Outcome = outcome,
        };
    }

    /// <summary>
    /// The caller's span and <c>tracestate</c> by the same rules as <see cref="Read"/>, without materialising the
    /// rest: what the host's propagator hands ASP.NET Core so that the request's activity starts with the right
    /// parent. The baggage is scanned only when an organization check applies.
    /// </summary>
    public static bool TryReadParentContext<THeaders>(
        THeaders headers,
        bool continueFromTraceparent,
        string? localOrgId,
        bool strictOrgCheck,
        out IncomingParent parent,
        out string? traceState)
        where THeaders : ITraceHeaders
    {
        traceState = null;
        if (!TryReadParent(headers, continueFromTraceparent, out parent, out _))
        {
            return false;
        }

        if ((strictOrgCheck || !string.IsNullOrEmpty(localOrgId))
            && !OrgMatches(SentryBaggageSummary.Read(headers.Get(Baggage.HeaderName)).OrgId, localOrgId, strictOrgCheck))
        {
            parent = default;
            return false;
        }

        traceState = ReadTraceState(headers.Get(TraceStateHeader.HeaderName));
        return true;
    }

    private static bool TryReadParent<THeaders>(THeaders headers, bool continueFromTraceparent, out IncomingParent parent, out ContinuationOutcome outcome)
        where THeaders : ITraceHeaders
    {
        parent = default;
        var sentryTrace = headers.Get(SentryTraceHeader.HeaderName);
        if (sentryTrace.Count > 0)
        {
            // Several sentry-trace values: the first one counts, as in Sentry's SDKs.
            if (!SentryTraceHeader.TryParse(sentryTrace[0].AsSpan(), out var header))
            {
                outcome = ContinuationOutcome.MalformedSentryTrace;
                return false;
            }

            outcome = ContinuationOutcome.ContinuedFromSentryTrace;
            parent = new IncomingParent(header.TraceIdValue, header.SpanIdValue, header.HasSpanId, header.Sampled);
            return true;
        }

        var traceparent = continueFromTraceparent ? headers.Get(TraceParentHeader.HeaderName) : default;
        if (traceparent.Count > 0)
        {
            // RFC 9110 allows a list only for list-based fields; two traceparent values are invalid.
            if (traceparent.Count > 1 || !TraceParentHeader.TryParse(traceparent[0].AsSpan(), out var w3c))
            {
                outcome = ContinuationOutcome.MalformedTraceparent;
                return false;
            }

            outcome = ContinuationOutcome.ContinuedFromTraceparent;
            parent = new IncomingParent(w3c.TraceIdValue, w3c.ParentIdValue, true, w3c.Sampled);
            return true;
        }

        outcome = ContinuationOutcome.NoHeaders;
        return false;
    }

    private static string? ReadTraceState(StringValues tracestate)
    {
        if (tracestate.Count == 0)
        {
            return null;
        }

        return TraceStateHeader.TryParse((IReadOnlyList<string>)tracestate, out var state) && !state.IsEmpty ? state.Value : null;
    }

    private static bool OrgMatches(string? incoming, string? local, bool strict)
    {
        var hasIncoming = !string.IsNullOrEmpty(incoming);
        var hasLocal = !string.IsNullOrEmpty(local);
        if (hasIncoming && hasLocal)
        {
            return string.Equals(incoming, local, StringComparison.Ordinal);
        }

        return !strict || (!hasIncoming && !hasLocal);
    }
}
