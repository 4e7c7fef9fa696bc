namespace TraceMiddleware.Http;

/// <summary>Every header that carries trace context, ours and .NET's own.</summary>
internal static class TraceHeaderNames
{
    public const string SentryTrace = "sentry-trace";
    public const string Baggage = "baggage";
    public const string TraceParent = "traceparent";
    public const string TraceState = "tracestate";
    public const string RequestId = "Request-Id";
    public const string CorrelationContext = "Correlation-Context";

    public static readonly string[] All = [SentryTrace, Baggage, TraceParent, TraceState, RequestId, CorrelationContext];

    public static void RemoveAll(HttpRequestMessage request)
    {
        var headers = request.Headers;
        foreach (var name in All)
        {
            headers.Remove(name);
        }
    }
}
