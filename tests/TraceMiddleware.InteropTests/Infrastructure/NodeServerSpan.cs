using System.Text.Json.Serialization;

namespace TraceMiddleware.InteropTests.Infrastructure;

/// <summary>The ids of node-server.mjs's http.server span, as <c>spanToJSON</c> gives them.</summary>
public sealed record NodeServerSpan(
    [property: JsonPropertyName("trace_id")] string TraceId,
    [property: JsonPropertyName("span_id")] string SpanId,
    [property: JsonPropertyName("parent_span_id")] string? ParentSpanId);
