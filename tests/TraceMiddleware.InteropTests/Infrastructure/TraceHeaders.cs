namespace TraceMiddleware.InteropTests.Infrastructure;

/// <summary>Every header that carries a trace: Sentry's, W3C's and the legacy .NET ones.</summary>
public static class TraceHeaders
{
    public static readonly string[] All = ["sentry-trace", "baggage", "traceparent", "tracestate", "request-id", "correlation-context"];
}
