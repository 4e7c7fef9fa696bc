namespace TraceMiddleware.Tracing;

/// <summary>
/// The trace headers to put on an outgoing request or message by hand, as this package puts them on
/// requests to the propagation targets. A <see langword="null"/> member is not to be sent.
/// </summary>
/// <param name="SentryTrace">The <c>sentry-trace</c> value.</param>
/// <param name="Baggage">The <c>baggage</c> value: the Dynamic Sampling Context and the members passed on.</param>
/// <param name="TraceParent">The W3C <c>traceparent</c> value.</param>
/// <param name="TraceState">The W3C <c>tracestate</c> value that arrived with the trace.</param>
public readonly record struct TraceHeaders(string? SentryTrace, string? Baggage, string? TraceParent, string? TraceState)
{
    /// <summary>Whether there is no trace to propagate.</summary>
    public bool IsEmpty => SentryTrace is null;
}
