using System.Text.Json;

namespace TraceMiddleware.InteropTests.Infrastructure;

/// <summary>A transaction item and the envelope it came in.</summary>
public sealed class ReceivedTransaction
{
    public ReceivedTransaction(ReceivedEnvelope envelope, JsonElement payload)
    {
        Envelope = envelope;
        Payload = payload;
        Name = payload.TryGetProperty("transaction", out var name) ? name.GetString() : null;
        Root = ReceivedSpan.FromTraceContext(payload, Name);
        Spans = payload.TryGetProperty("spans", out var spans) && spans.ValueKind == JsonValueKind.Array
            ? spans.EnumerateArray().Select(s => ReceivedSpan.From(s, null)).ToList()
            : [];
    }

    public ReceivedEnvelope Envelope { get; }

    public JsonElement Payload { get; }

    /// <summary>The transaction name.</summary>
    public string? Name { get; }

    /// <summary>The root span, from <c>contexts.trace</c>.</summary>
    public ReceivedSpan Root { get; }

    /// <summary>The child spans.</summary>
    public IReadOnlyList<ReceivedSpan> Spans { get; }

    public string? TraceId => Root.TraceId;

    public string? Op => Root.Op;

    /// <summary>The Dynamic Sampling Context of the envelope header.</summary>
    public IReadOnlyDictionary<string, string> DynamicSamplingContext => Envelope.DynamicSamplingContext;

    public override string ToString() =>
        $"{Envelope.SdkName} '{Name}' op={Op} trace={TraceId} span={Root.SpanId} parent={Root.ParentSpanId} spans=[{string.Join(", ", Spans.Select(s => $"{s.Op} {s.SpanId}<-{s.ParentSpanId}"))}]";
}
