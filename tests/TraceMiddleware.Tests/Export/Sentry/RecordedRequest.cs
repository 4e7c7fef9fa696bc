using System.Diagnostics;

namespace TraceMiddleware.Tests.Export.Sentry;

public sealed record RecordedRequest(HttpMethod Method, Uri Uri, Dictionary<string, string> Headers, byte[] Body, Activity? CurrentActivity)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public IEnumerable<string> TraceHeaders => Headers.Keys.Where(k => k is "sentry-trace" or "baggage" or "traceparent" or "tracestate" or "Request-Id");
}
