using System.Text.Json;

namespace TraceMiddleware.InteropTests.Infrastructure;

/// <summary>An envelope as it arrived at the stand-in: the request's metadata, the envelope header and its items.</summary>
public sealed record ReceivedEnvelope(
    string ProjectId,
    IReadOnlyDictionary<string, string> RequestHeaders,
    string QueryString,
    JsonElement Header,
    IReadOnlyList<ReceivedEnvelopeItem> Items)
{
    /// <summary>The envelope header's <c>trace</c>: the Dynamic Sampling Context, every value as a string.</summary>
    public IReadOnlyDictionary<string, string> DynamicSamplingContext =>
        Header.TryGetProperty("trace", out var trace) && trace.ValueKind == JsonValueKind.Object
            ? trace.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText())
            : new Dictionary<string, string>();

    /// <summary>The SDK that sent it, from the envelope header (<c>sentry.javascript.node</c>, …).</summary>
    public string? SdkName => Header.TryGetProperty("sdk", out var sdk) && sdk.TryGetProperty("name", out var name) ? name.GetString() : null;
}
