using System.IO.Compression;
using System.Text;

namespace TraceMiddleware.IntegrationTests.Tunnel;

/// <summary>Envelopes as Sentry's browser SDK sends them through its <c>tunnel</c> option.</summary>
public static class Envelope
{
    public static string Text(string dsn, string traceId = "4bf92f3577b34da6a3ce929d0e0e4736") =>
        Header($"\"dsn\":\"{dsn}\",") + Items(traceId);

    public static string Header(string dsnMember) =>
        "{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\",\"sent_at\":\"2025-06-01T12:00:00.000Z\"," + dsnMember
        + "\"sdk\":{\"name\":\"sentry.javascript.browser\",\"version\":\"10.78.0\"},"
        + "\"trace\":{\"environment\":\"production\",\"public_key\":\"publickey\",\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\",\"sample_rate\":\"1\",\"sampled\":\"true\"}}";

    public static string Items(string traceId) =>
        "\n{\"type\":\"transaction\"}\n"
        + "{\"type\":\"transaction\",\"transaction\":\"/\",\"contexts\":{\"trace\":{\"trace_id\":\"" + traceId + "\",\"span_id\":\"00f067aa0ba902b7\",\"op\":\"pageload\"}},\"spans\":[],\"start_timestamp\":1748779200.0,\"timestamp\":1748779201.5,\"platform\":\"javascript\",\"note\":\"ünïcödé\"}";

    public static byte[] Bytes(string dsn) => Encoding.UTF8.GetBytes(Text(dsn));

    /// <summary>An envelope for <paramref name="dsn"/> padded with an attachment of x's to exactly <paramref name="size"/> bytes.</summary>
    public static byte[] Padded(string dsn, int size)
    {
        var head = Text(dsn) + "\n{\"type\":\"attachment\"}\n";
        var body = Encoding.UTF8.GetBytes(head + new string('x', size - Encoding.UTF8.GetByteCount(head)));
        if (body.Length != size)
        {
            throw new ArgumentOutOfRangeException(nameof(size), "too small for the envelope's head");
        }

        return body;
    }

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }
}
