using System.Diagnostics;
using System.Net;
using System.Text;
using TraceMiddleware.Export.Console;
using TraceMiddleware.Testing;

namespace TraceMiddleware.IntegrationTests.Tunnel;

/// <summary>
/// What the tunnel shows locally: in Development the browser's transaction joins its trace's console tree, with
/// no DSN the tunnel receives envelopes itself, and with Spotlight on it copies them there.
/// </summary>
public sealed class TunnelLocalViewTests
{
    private const string PlaceholderDsn = "http://offline@localhost/0";

    private static Dictionary<string, string?> Settings(params (string Key, string? Value)[] more)
    {
        var settings = new Dictionary<string, string?> { ["Tracing:TracesSampleRate"] = "1", ["Tracing:ServiceName"] = "shop" };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>A sampled page request in a fresh trace; returns once its tree waits for the rest of the trace.</summary>
    private static async Task<string> RequestPageAsync(TunnelApp app)
    {
        var traceId = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/page");
        request.Headers.Add("sentry-trace", $"{traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-1");
        using var response = await app.Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        await Eventually.TrueAsync(() => ConsoleTraceMerger.Shared.IsWaiting(traceId), "the page's tree waiting in the console");
        return traceId.ToHexString();
    }

    private static byte[] BrowserEnvelope(string dsn, string traceId) => Encoding.UTF8.GetBytes(Envelope.Text(dsn, traceId));

    private static string[] TreeOf(CapturingLoggerProvider logs, string traceId) =>
        Assert.Single(logs.WithEventId(2010), e => e.Message.StartsWith($"Trace {traceId}", StringComparison.Ordinal)).Message.Split('\n');

    [Fact]
    public async Task Development_WithoutADsn_ReceivesTheEnvelope_Answers200_AndItsTransactionJoinsTheConsoleTree()
    {
        // Arrange
        var logs = new CapturingLoggerProvider();
        await using var app = await TunnelApp.StartAsync(Settings(), logs: logs, environment: "Development");
        var traceId = await RequestPageAsync(app);

        // Act
        using var response = await app.PostAsync(BrowserEnvelope(PlaceholderDsn, traceId));
        await app.StopAsync();

        // Assert: the browser's pageload (it started first) and the page request, in one tree.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{}", await response.Content.ReadAsStringAsync());
        var tree = TreeOf(logs, traceId);
        Assert.Equal(3, tree.Length);
        Assert.Equal("[browser] pageload  /  1500.0 ms  ok  #00f067aa", tree[1]);
        Assert.StartsWith("[shop] http.server  GET /page  ", tree[2], StringComparison.Ordinal);
        Assert.Contains("in Development it receives the browser's envelopes itself, for the console tree", Assert.Single(logs.WithEventId(4008)).Message, StringComparison.Ordinal);
        Assert.Empty(logs.WithEventId(4006));
        Assert.Single(logs.WithEventId(4009));
    }

    [Fact]
    public async Task ABrowserTransactionWhoseTraceIsNotWaiting_IsNotPrinted()
    {
        var logs = new CapturingLoggerProvider();
        await using var app = await TunnelApp.StartAsync(Settings(), logs: logs, environment: "Development");
        var traceId = ActivityTraceId.CreateRandom().ToHexString();

        using var response = await app.PostAsync(BrowserEnvelope(PlaceholderDsn, traceId));
        await app.StopAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(logs.WithEventId(2010), e => e.Message.Contains(traceId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ACompressedEnvelope_IsReceived_ButNotReadForTheConsole()
    {
        var logs = new CapturingLoggerProvider();
        await using var app = await TunnelApp.StartAsync(Settings(), logs: logs, environment: "Development");
        var traceId = await RequestPageAsync(app);

        using var response = await app.PostAsync(Envelope.Gzip(BrowserEnvelope(PlaceholderDsn, traceId)), contentEncoding: "gzip");
        await app.StopAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, TreeOf(logs, traceId).Length);
    }

    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    public async Task OutsideDevelopment_WithoutADsn_TheTunnelStillRefusesEverything(string environment)
    {
        var logs = new CapturingLoggerProvider();
        await using var app = await TunnelApp.StartAsync(Settings(("Tracing:ConsoleExporter", "true")), logs: logs, environment: environment);

        using var response = await app.PostAsync(BrowserEnvelope(PlaceholderDsn, ActivityTraceId.CreateRandom().ToHexString()));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Single(logs.WithEventId(4006));
    }

    [Fact]
    public async Task Development_ConsoleOff_NoSpotlight_WithoutADsn_RefusesAsBefore()
    {
        await using var app = await TunnelApp.StartAsync(Settings(("Tracing:ConsoleExporter", "false")), environment: "Development");

        using var response = await app.PostAsync(BrowserEnvelope(PlaceholderDsn, ActivityTraceId.CreateRandom().ToHexString()));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Development_WithADsnAndTheConsole_TheForwardedTransactionJoinsTheTreeToo()
    {
        await using var sentry = await FakeSentry.StartAsync();
        var logs = new CapturingLoggerProvider();
        await using var app = await TunnelApp.StartAsync(Settings(("Tracing:Dsn", sentry.Dsn()), ("Tracing:ConsoleExporter", "true")), logs: logs, environment: "Development");
        var traceId = await RequestPageAsync(app);
        var body = BrowserEnvelope(sentry.Dsn(key: "browserkey"), traceId);

        using var response = await app.PostAsync(body);
        await app.StopAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(sentry.Received, r => r.PathAndQuery == "/api/42/envelope/" && r.Body.SequenceEqual(body));
        Assert.Equal("[browser] pageload  /  1500.0 ms  ok  #00f067aa", TreeOf(logs, traceId)[1]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("gzip")]
    public async Task WithSpotlight_EveryEnvelopeIsCopiedThere_AsSent_WithoutAuth(string? contentEncoding)
    {
        // Arrange: a stand-in Spotlight, and Sentry behind the tunnel.
        await using var spotlight = await FakeSentry.StartAsync();
        await using var sentry = await FakeSentry.StartAsync();
        await using var app = await TunnelApp.StartAsync(Settings(("Tracing:Dsn", sentry.Dsn()), ("Tracing:Spotlight", $"http://127.0.0.1:{spotlight.Port}/stream")));
        var plain = BrowserEnvelope(sentry.Dsn(), ActivityTraceId.CreateRandom().ToHexString());
        var body = contentEncoding is null ? plain : Envelope.Gzip(plain);

        // Act
        using var response = await app.PostAsync(body, contentEncoding);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(sentry.Received, r => r.Body.SequenceEqual(body));
        var copy = Assert.Single(spotlight.Received, r => r.PathAndQuery == "/stream");
        Assert.Equal(body, copy.Body);
        Assert.Equal(("application/x-sentry-envelope", contentEncoding), (copy["content-type"], copy["content-encoding"]));
        Assert.Null(copy["x-sentry-auth"]);
        Assert.Null(copy["sentry-trace"]);
    }

    [Fact]
    public async Task Development_WithSpotlightOnly_ReceivesTheEnvelope_AndCopiesItToSpotlight()
    {
        await using var spotlight = await FakeSentry.StartAsync();
        await using var app = await TunnelApp.StartAsync(Settings(("Tracing:ConsoleExporter", "false"), ("Tracing:Spotlight", $"http://127.0.0.1:{spotlight.Port}/stream")), environment: "Development");
        var body = BrowserEnvelope(PlaceholderDsn, ActivityTraceId.CreateRandom().ToHexString());

        using var response = await app.PostAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, Assert.Single(spotlight.Received).Body);
    }

    [Fact]
    public async Task ASpotlightThatIsDown_CostsTheBrowserNothing_ButADebugLine()
    {
        var logs = new CapturingLoggerProvider();
        await using var sentry = await FakeSentry.StartAsync();
        await using var app = await TunnelApp.StartAsync(Settings(("Tracing:Dsn", sentry.Dsn()), ("Tracing:Spotlight", $"http://127.0.0.1:{Export.Sentry.SentryReceiver.ClosedPort()}/stream")), logs: logs);

        using var response = await app.PostAsync(BrowserEnvelope(sentry.Dsn(), ActivityTraceId.CreateRandom().ToHexString()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(sentry.Received);
        Assert.Contains("the copy to Spotlight", Assert.Single(logs.WithEventId(4010)).Message, StringComparison.Ordinal);
    }
}
