using System.Text.Json;

namespace TraceMiddleware.InteropTests.Infrastructure;

/// <summary>An error event item (<c>"type":"event"</c>) and the envelope it came in.</summary>
public sealed class ReceivedErrorEvent
{
    public ReceivedErrorEvent(ReceivedEnvelope envelope, JsonElement payload)
    {
        Envelope = envelope;
        Payload = payload;
        Transaction = Text(payload, "transaction");
        Trace = ReceivedSpan.FromTraceContext(payload, null);
        var exception = payload.TryGetProperty("exception", out var e) && e.TryGetProperty("values", out var values)
            && values.ValueKind == JsonValueKind.Array && values.GetArrayLength() > 0
                ? values[values.GetArrayLength() - 1]
                : default;
        ExceptionType = exception.ValueKind == JsonValueKind.Object ? Text(exception, "type") : null;
        ExceptionValue = exception.ValueKind == JsonValueKind.Object ? Text(exception, "value") : null;
    }

    public ReceivedEnvelope Envelope { get; }

    public JsonElement Payload { get; }

    /// <summary>The event's <c>transaction</c>: the name of the transaction it happened in.</summary>
    public string? Transaction { get; }

    /// <summary>The event's <c>contexts.trace</c>: the trace and the span it happened in.</summary>
    public ReceivedSpan Trace { get; }

    /// <summary>The type of the outermost exception (Sentry lists the innermost first).</summary>
    public string? ExceptionType { get; }

    public string? ExceptionValue { get; }

    public override string ToString() =>
        $"{Envelope.SdkName} event {ExceptionType} '{ExceptionValue}' transaction='{Transaction}' trace={Trace.TraceId} span={Trace.SpanId} parent={Trace.ParentSpanId}";

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
