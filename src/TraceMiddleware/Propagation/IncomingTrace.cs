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

    /// <summary>
    /// The <c>tracestate</c> to pass on, combined from every line, validated and bounded to
    /// <see cref="TraceStateHeader.MaxPropagatedLength"/>; <see langword="null"/> when none, when it is
    /// invalid, or when no valid <c>traceparent</c> of this trace came with it.
    /// </summary>
    public string? TraceState { get; private init; }

    /// <summary>
    /// Whether a valid <c>traceparent</c> of this trace came with the random trace-id flag (<c>0x02</c>). A
    /// trace continued from <c>sentry-trace</c> alone makes no such claim, so this is then <see langword="false"/>.
    /// </summary>
    public bool RandomTraceId { get; private init; }

    public ContinuationOutcome Outcome { get; private init; }

    /// <summary>
    /// Reads the incoming headers, each only when needed: <c>traceparent</c> to continue without a
    /// <c>sentry-trace</c>, or beside one to judge <c>tracestate</c> and the random flag; <c>baggage</c> only for a
    /// trace to continue; <c>tracestate</c> only with a valid <c>traceparent</c> of that trace. Returns
    /// <see langword="null"/> (a new trace) when there is nothing valid to continue or the org check fails;
    /// <paramref name="outcome"/> says which.
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
            TraceState = ReadTraceState(headers, parent),
            RandomTraceId = parent.RandomTraceId,
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

        traceState = ReadTraceState(headers, parent);
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

            // A traceparent of the same trace vouches for a tracestate and may say the trace id is random;
            // one of another trace is a restart from W3C's point of view, and its tracestate goes.
            var sameTrace = TryParseTraceparent(headers.Get(TraceParentHeader.HeaderName), out var alongside)
                && alongside.TraceIdValue == header.TraceIdValue;
            outcome = ContinuationOutcome.ContinuedFromSentryTrace;
            parent = new IncomingParent(header.TraceIdValue, header.SpanIdValue, header.HasSpanId, header.Sampled, sameTrace, sameTrace && alongside.RandomTraceId);
            return true;
        }

        var traceparent = continueFromTraceparent ? headers.Get(TraceParentHeader.HeaderName) : default;
        if (traceparent.Count > 0)
        {
            if (!TryParseTraceparent(traceparent, out var w3c))
            {
                outcome = ContinuationOutcome.MalformedTraceparent;
                return false;
            }

            outcome = ContinuationOutcome.ContinuedFromTraceparent;
            parent = new IncomingParent(w3c.TraceIdValue, w3c.ParentIdValue, true, w3c.Sampled, true, w3c.RandomTraceId);
            return true;
        }

        outcome = ContinuationOutcome.NoHeaders;
        return false;
    }

    // RFC 9110 allows a list only for list-based fields; two traceparent values are invalid.
    private static bool TryParseTraceparent(StringValues values, out TraceParentHeader parent)
    {
        parent = default;
        return values.Count == 1 && TraceParentHeader.TryParse(values[0].AsSpan(), out parent);
    }

    // "If the vendor failed to parse traceparent, it MUST NOT attempt to parse tracestate", and "a tracestate
    // header ... received without an accompanying traceparent header ... MUST be discarded". The lines are one
    // list in the order received (RFC 9110 field order), validated as a whole, then bounded for sending.
    private static string? ReadTraceState<THeaders>(THeaders headers, in IncomingParent parent)
        where THeaders : ITraceHeaders
    {
        if (!parent.HasTraceparent)
        {
            return null;
        }

        var tracestate = headers.Get(TraceStateHeader.HeaderName);
        return tracestate.Count > 0 && TraceStateHeader.TryParse(tracestate, out var state) ? state.PropagatedValue : null;
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
