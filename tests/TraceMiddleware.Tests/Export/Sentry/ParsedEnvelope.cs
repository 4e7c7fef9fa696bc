using System.Text;
using System.Text.Json;

namespace TraceMiddleware.Tests.Export.Sentry;

/// <summary>
/// An envelope split the way Relay reads it: header line, item header line, then exactly
/// <c>length</c> payload bytes, and nothing after them.
/// </summary>
public sealed class ParsedEnvelope
{
    private ParsedEnvelope(JsonElement header, JsonElement itemHeader, JsonElement payload, byte[] payloadBytes)
    {
        Header = header;
        ItemHeader = itemHeader;
        Payload = payload;
        PayloadBytes = payloadBytes;
    }

    public JsonElement Header { get; }

    public JsonElement ItemHeader { get; }

    public JsonElement Payload { get; }

    public byte[] PayloadBytes { get; }

    public static ParsedEnvelope Parse(byte[] envelope)
    {
        var first = Array.IndexOf(envelope, (byte)'\n');
        Assert.True(first > 0, "no envelope header line");
        var second = Array.IndexOf(envelope, (byte)'\n', first + 1);
        Assert.True(second > first, "no item header line");

        var header = JsonDocument.Parse(envelope.AsMemory(0, first)).RootElement.Clone();
        var itemHeader = JsonDocument.Parse(envelope.AsMemory(first + 1, second - first - 1)).RootElement.Clone();
        var payloadBytes = envelope[(second + 1)..];
        Assert.Equal("transaction", itemHeader.GetProperty("type").GetString());
        Assert.Equal(payloadBytes.Length, itemHeader.GetProperty("length").GetInt32());
        var payload = JsonDocument.Parse(payloadBytes).RootElement.Clone();
        return new ParsedEnvelope(header, itemHeader, payload, payloadBytes);
    }

    public override string ToString() => Encoding.UTF8.GetString(PayloadBytes);
}
