namespace TraceMiddleware.Testing;

/// <summary>One request an <see cref="EchoServer"/> received: its path and query, and its headers by lower-case name.</summary>
public sealed record ReceivedRequest(string PathAndQuery, IReadOnlyDictionary<string, string> Headers)
{
    public string? this[string name] => Headers.TryGetValue(name, out var v) ? v : null;

    /// <summary>Every header that carries a trace: Sentry's, W3C's and the legacy .NET ones.</summary>
    public static readonly string[] TraceHeaderNames = ["sentry-trace", "baggage", "traceparent", "tracestate", "request-id", "correlation-context"];

    public IEnumerable<string> TraceHeadersPresent => TraceHeaderNames.Where(Headers.ContainsKey);
}
