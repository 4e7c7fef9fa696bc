using System.IO.Compression;
using System.Net;
using System.Text;
using TraceMiddleware.InteropTests.Infrastructure;

namespace TraceMiddleware.InteropTests;

/// <summary>
/// The stand-in must read what our Sentry exporter will send (gzip, X-Sentry-Auth, length-prefixed items)
/// as well as what the JS SDKs send (plain, auth in the query, items without length).
/// </summary>
public sealed class SentryIngestStandInTests
{
    private const string TraceId = "771a43a4192642f0b136d5159a501700";

    private static readonly string Transaction =
        $$$"""{"type":"transaction","event_id":"9ec79c33ec9942ab8353589fcb2e04dc","transaction":"GET /orders/{id}","contexts":{"trace":{"trace_id":"{{{TraceId}}}","span_id":"b7ad6b7169203331","parent_span_id":"00f067aa0ba902b7","op":"http.server"}},"spans":[{"trace_id":"{{{TraceId}}}","span_id":"0af7651916cd43dd","parent_span_id":"b7ad6b7169203331","op":"db.query","description":"SELECT 1"}]}""";

    private static readonly string Envelope =
        $$$"""{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc","sent_at":"2026-01-01T00:00:00.000Z","sdk":{"name":"sentry.dotnet.tracemiddleware","version":"0.1.0"},"trace":{"trace_id":"{{{TraceId}}}","public_key":"pk","sampled":"true"}}""" +
        "\n" + $$$"""{"type":"transaction","length":{{{Encoding.UTF8.GetByteCount(Transaction)}}}}""" + "\n" + Transaction +
        "\n" + """{"type":"client_report"}""" + "\n" + """{"discarded_events":[]}""";

    [Fact]
    public async Task GzipEnvelope_WithLengthPrefixedItems_IsParsed_AndTheTransactionAwaited()
    {
        // Arrange
        await using var standIn = await SentryIngestStandIn.StartAsync();
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(standIn.BaseAddress, "api/42/envelope/")) { Content = Gzip(Envelope) };
        request.Content.Headers.ContentType = new("application/x-sentry-envelope");
        request.Content.Headers.ContentEncoding.Add("gzip");
        request.Headers.TryAddWithoutValidation("X-Sentry-Auth", "Sentry sentry_version=7, sentry_client=tracemiddleware/0.1.0, sentry_key=pk");

        // Act
        using var response = await client.SendAsync(request);
        var transaction = await standIn.WaitForTransactionAsync(t => t.TraceId == TraceId, "the posted transaction");

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var envelope = Assert.Single(standIn.Envelopes);
        Assert.Equal("42", envelope.ProjectId);
        Assert.Equal(["transaction", "client_report"], envelope.Items.Select(i => i.Type));
        Assert.Equal("application/x-sentry-envelope", envelope.RequestHeaders["content-type"]);
        Assert.Contains("sentry_key=pk", envelope.RequestHeaders["x-sentry-auth"], StringComparison.Ordinal);
        Assert.Equal("GET /orders/{id}", transaction.Name);
        Assert.Equal(new ReceivedSpan(TraceId, "b7ad6b7169203331", "00f067aa0ba902b7", "http.server", "GET /orders/{id}"), transaction.Root);
        Assert.Equal(new ReceivedSpan(TraceId, "0af7651916cd43dd", "b7ad6b7169203331", "db.query", "SELECT 1"), Assert.Single(transaction.Spans));
        Assert.Equal("pk", transaction.DynamicSamplingContext["public_key"]);
        Assert.Empty(standIn.Rejections);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{\"event_id\":\"x\"}\n{\"type\":\"transaction\",\"length\":999}\n{}")]
    [InlineData("{\"event_id\":\"x\"}\n{\"type\":\"transaction\"\n{}")]
    public async Task MalformedEnvelope_IsRejectedWith400_AndKeptAsARejection(string body)
    {
        // Arrange
        await using var standIn = await SentryIngestStandIn.StartAsync();
        using var client = new HttpClient();

        // Act
        using var response = await client.PostAsync(new Uri(standIn.BaseAddress, "api/1/envelope/"), new StringContent(body));

        // Assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(standIn.Envelopes);
        Assert.Single(standIn.Rejections);
    }

    [Fact]
    public async Task Dsn_PointsAtTheEnvelopeEndpoint()
    {
        // Arrange
        await using var standIn = await SentryIngestStandIn.StartAsync();

        // Act
        var dsn = new Uri(standIn.Dsn("key", 7));

        // Assert
        Assert.Equal("key", dsn.UserInfo);
        Assert.Equal(standIn.BaseAddress.Authority, dsn.Authority);
        Assert.Equal("/7", dsn.AbsolutePath);
    }

    private static ByteArrayContent Gzip(string text)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        return new ByteArrayContent(buffer.ToArray());
    }
}
