using System.Text.Json;

namespace TraceMiddleware.InteropTests.Infrastructure;

/// <summary>A span as an SDK reported it: a transaction's root (<c>contexts.trace</c>) or an entry of its <c>spans</c>.</summary>
public sealed record ReceivedSpan(string? TraceId, string? SpanId, string? ParentSpanId, string? Op, string? Description)
{
    public static ReceivedSpan From(JsonElement span, string? description) => new(
        Text(span, "trace_id"),
        Text(span, "span_id"),
        Text(span, "parent_span_id"),
        Text(span, "op"),
        description ?? Text(span, "description"));

    /// <summary>The span in an event's <c>contexts.trace</c> (every field null when there is none).</summary>
    public static ReceivedSpan FromTraceContext(JsonElement payload, string? description) =>
        payload.TryGetProperty("contexts", out var contexts) && contexts.TryGetProperty("trace", out var trace) && trace.ValueKind == JsonValueKind.Object
            ? From(trace, description)
            : new ReceivedSpan(null, null, null, null, description);

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
