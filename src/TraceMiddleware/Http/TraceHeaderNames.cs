using TraceMiddleware.Propagation;

namespace TraceMiddleware.Http;

/// <summary>Every header that carries trace context, ours and .NET's own.</summary>
internal static class TraceHeaderNames
{
    public const string SentryTrace = SentryTraceHeader.HeaderName;
    public const string Baggage = Propagation.Baggage.HeaderName;
    public const string TraceParent = TraceParentHeader.HeaderName;
    public const string TraceState = TraceStateHeader.HeaderName;
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
