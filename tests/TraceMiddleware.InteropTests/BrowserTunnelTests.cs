using System.Text.RegularExpressions;
using TraceMiddleware.InteropTests.Infrastructure;
using TraceMiddleware.Testing;

namespace TraceMiddleware.InteropTests;

/// <summary>
/// Headless Chromium with Sentry's browser SDK configured with <c>tunnel</c>: its envelopes reach Sentry
/// only through the storefront's <c>MapSentryTunnel</c> endpoint, which refuses any other DSN; and a page
/// without meta tags continues the trace from the Server-Timing header.
/// </summary>
public sealed partial class BrowserTunnelTests
{
    [Fact]
    public async Task PageloadTransaction_ReachesSentry_ThroughTheTunnel()
    {
        // Arrange
        await using var standIn = await SentryIngestStandIn.StartAsync();
        await using var shop = await ShopUnderTest.StartAsync(standIn);

        // Act
        await using var browser = await BrowserSession.OpenAsync(shop.Links.Storefront!);
        var traceId = browser.MetaSentryTrace![..32];
        var pageload = await standIn.WaitForTransactionAsync(t => t.TraceId == traceId && t.Op == "pageload", "pageload transaction");

        // Assert: it came from the storefront's tunnel (which adds X-Forwarded-For and is not a browser), for
        // the browser's own DSN (project 9), and so did every envelope of the browser SDK.
        Assert.Equal("9", pageload.Envelope.ProjectId);
        var browserEnvelopes = standIn.Envelopes.Where(e => e.SdkName == "sentry.javascript.browser").ToList();
        Assert.NotEmpty(browserEnvelopes);
        Assert.All(browserEnvelopes, e =>
        {
            Assert.True(e.RequestHeaders.ContainsKey("x-forwarded-for"), "an envelope reached Sentry without the tunnel");
            Assert.False(e.RequestHeaders.ContainsKey("origin"), "the browser posted to Sentry directly");
        });
    }

    [Fact]
    public async Task ForgedDsn_IsRefused_AndNeverFetched()
    {
        // Arrange
        await using var standIn = await SentryIngestStandIn.StartAsync();
        await using var elsewhere = await SentryIngestStandIn.StartAsync();
        await using var shop = await ShopUnderTest.StartAsync(standIn);
        await using var browser = await BrowserSession.OpenAsync(shop.Links.Storefront!);

        // Act
        var otherHost = await browser.PostForgedEnvelopeAsync(elsewhere.Dsn("browser", 9));
        var otherProject = await browser.PostForgedEnvelopeAsync(standIn.Dsn("browser", 77));

        // Assert
        Assert.Equal(400, otherHost);
        Assert.Equal(400, otherProject);
        Assert.Empty(elsewhere.Envelopes);
        Assert.DoesNotContain(standIn.Envelopes, e => e.ProjectId == "77");
    }

    [Fact]
    public async Task PageWithoutMetaTags_ContinuesTheTrace_FromServerTiming()
    {
        // Arrange
        await using var standIn = await SentryIngestStandIn.StartAsync();
        await using var shop = await ShopUnderTest.StartAsync(standIn);

        // Act
        await using var browser = await BrowserSession.OpenAsync(new Uri(shop.Links.Storefront!, "/static"));
        var header = ServerTimingSentryTrace().Match(browser.ServerTiming ?? string.Empty);
        Assert.True(header.Success, $"no sentry-trace in Server-Timing: '{browser.ServerTiming}'");
        var traceId = header.Groups["trace"].Value;
        var pageload = await standIn.WaitForTransactionAsync(t => t.TraceId == traceId && t.Op == "pageload", "pageload transaction");

        // Assert: no meta tags, yet the browser's pageload is a child of the server span that rendered the page.
        Assert.Null(browser.MetaSentryTrace);
        Assert.Equal(header.Groups["span"].Value, pageload.Root.ParentSpanId);
        Assert.Equal(traceId, pageload.DynamicSamplingContext["trace_id"]);
        var page = await SpanCollector.WaitForSpanAsync(traceId, "http.server");
        Assert.Equal(header.Groups["span"].Value, page.SpanId.ToHexString());
        Assert.Equal("GET /static", page.DisplayName);
    }

    [GeneratedRegex("sentry-trace;desc=\"(?<trace>[0-9a-f]{32})-(?<span>[0-9a-f]{16})-1\"")]
    private static partial Regex ServerTimingSentryTrace();
}
