using System.Text.Json;

namespace TraceMiddleware.IntegrationTests.Export.Sentry;

/// <summary>One envelope as the receiver got it: headers, the bytes on the wire, the bytes after gzip, the status it answered.</summary>
public sealed record ReceivedEnvelope(IReadOnlyDictionary<string, string> Headers, byte[] WireBody, byte[] Body, int AnsweredStatus)
{
    public string? this[string header] => Headers.TryGetValue(header, out var value) ? value : null;

    public JsonElement Header => Lines().Header;

    public JsonElement Payload => Lines().Payload;

    public string Transaction => Payload.GetProperty("transaction").GetString()!;

    public string EventId => Header.GetProperty("event_id").GetString()!;

    /// <summary>Splits the envelope as Relay does; fails the test unless it is header, item header with the right length, payload.</summary>
    private (JsonElement Header, JsonElement Payload) Lines()
    {
        var first = Array.IndexOf(Body, (byte)'\n');
        var second = Array.IndexOf(Body, (byte)'\n', first + 1);
        Assert.True(first > 0 && second > first, "not an envelope: fewer than two header lines");
        var header = JsonDocument.Parse(Body.AsMemory(0, first)).RootElement.Clone();
        var item = JsonDocument.Parse(Body.AsMemory(first + 1, second - first - 1)).RootElement.Clone();
        var payload = Body.AsMemory(second + 1);
        Assert.Equal("transaction", item.GetProperty("type").GetString());
        Assert.Equal(payload.Length, item.GetProperty("length").GetInt32());
        return (header, JsonDocument.Parse(payload).RootElement.Clone());
    }
}
