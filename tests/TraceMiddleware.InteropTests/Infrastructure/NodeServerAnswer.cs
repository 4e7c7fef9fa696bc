namespace TraceMiddleware.InteropTests.Infrastructure;

/// <summary>node-server.mjs's answer: the headers it received and its http.server span.</summary>
public sealed record NodeServerAnswer(string Path, Dictionary<string, string> Headers, NodeServerSpan? Span, bool Sampled)
{
    public string? this[string header] => Headers.TryGetValue(header, out var value) ? value : null;
}
