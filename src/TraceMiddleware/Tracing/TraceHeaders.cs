namespace TraceMiddleware.Tracing;

/// <summary>
/// The trace headers to put on an outgoing request or message by hand, as this package puts them on
/// requests to the propagation targets. A <see langword="null"/> member is not to be sent.
/// </summary>
public readonly struct TraceHeaders
{
    internal TraceHeaders(string? sentryTrace, string? baggage, string? traceParent, string? traceState)
    {
        SentryTrace = sentryTrace;
        Baggage = baggage;
        TraceParent = traceParent;
        TraceState = traceState;
    }

    /// <summary>The <c>sentry-trace</c> value.</summary>
    public string? SentryTrace { get; }

    /// <summary>The <c>baggage</c> value: the Dynamic Sampling Context and the members passed on.</summary>
    public string? Baggage { get; }

    /// <summary>The W3C <c>traceparent</c> value.</summary>
    public string? TraceParent { get; }

    /// <summary>The W3C <c>tracestate</c> value that arrived with the trace.</summary>
    public string? TraceState { get; }

    /// <summary>Whether there is no trace to propagate.</summary>
    public bool IsEmpty => SentryTrace is null;
}
