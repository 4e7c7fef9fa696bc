namespace TraceMiddleware.Propagation;

/// <summary>How an incoming request's trace headers were used; logged at debug level per request.</summary>
internal enum ContinuationOutcome
{
    /// <summary>No trace header arrived: a new trace started here.</summary>
    NoHeaders,

    /// <summary>The trace was continued from <c>sentry-trace</c> (and <c>baggage</c>).</summary>
    ContinuedFromSentryTrace,

    /// <summary>The trace was continued from W3C <c>traceparent</c> (and <c>tracestate</c>).</summary>
    ContinuedFromTraceparent,

    /// <summary><c>sentry-trace</c> was malformed: a new trace started.</summary>
    MalformedSentryTrace,

    /// <summary><c>traceparent</c> was malformed: a new trace started.</summary>
    MalformedTraceparent,

    /// <summary>The caller's organization differs from this service's: a new trace started.</summary>
    OrgMismatch,

    /// <summary>The caller is not trusted (<c>TrustIncomingTraceHeaders</c>): a new trace started.</summary>
    Untrusted,
}
