using System.Text.Json;

namespace TraceMiddleware.InteropTests.Infrastructure;

/// <summary>
/// The answer of <see cref="TracedService"/>'s endpoint: its span, the trace headers it received, and the
/// calls it made on (whose bodies may be the next hop's report).
/// </summary>
public sealed record ServiceReport(SpanReport Span, Dictionary<string, string> Received, List<CallReport> Calls)
{
    public T CallBody<T>(int index) =>
        JsonSerializer.Deserialize<T>(Calls[index].Body, JsonDefaults.Web) ?? throw new InvalidOperationException("empty body: " + Calls[index].Body);
}
