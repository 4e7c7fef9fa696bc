using System.Diagnostics;
using TraceMiddleware.Export.Sentry;
using TraceMiddleware.IntegrationTests.Export.Sentry;
using TraceMiddleware.IntegrationTests.Infrastructure;
using TraceMiddleware.Testing;

namespace TraceMiddleware.IntegrationTests.Export;

/// <summary>The <c>Spotlight</c> option: every envelope also goes to Spotlight's URL, beside the DSN.</summary>
public sealed class SpotlightExporterTests
{
    private static async Task<string> RequestAsync(HttpClient client)
    {
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/manual");
        request.Headers.Add("sentry-trace", $"{traceId}-b7ad6b7169203331-1");
        (await client.SendAsync(request)).EnsureSuccessStatusCode();
        return traceId;
    }

    [Fact]
    public async Task Spotlight_GetsTheSameTransactionAsTheDsn_WithoutTheDsnsKey()
    {
        // Arrange: a stand-in for Sentry and one for Spotlight (which also takes envelopes at /api/{id}/envelope/).
        await using var sentry = await SentryReceiver.StartAsync();
        await using var spotlight = await SentryReceiver.StartAsync();
        var logs = new CapturingLoggerProvider();
        await using var factory = ExportHosts.Minimal(
            new()
            {
                ["Tracing:Dsn"] = sentry.Dsn.Original,
                ["Tracing:TracesSampleRate"] = "1",
                ["Tracing:Spotlight"] = $"http://127.0.0.1:{spotlight.Port}/api/0/envelope/",
            },
            logs: logs);

        // Act
        var traceId = await RequestAsync(factory.CreateClient());
        var toSentry = await sentry.WaitForTransactionAsync(traceId);
        var toSpotlight = await spotlight.WaitForTransactionAsync(traceId);

        // Assert
        Assert.Equal("GET /manual", toSpotlight.Transaction);
        Assert.Equal(toSentry.Payload.GetProperty("contexts").GetRawText(), toSpotlight.Payload.GetProperty("contexts").GetRawText());
        Assert.StartsWith("application/x-sentry-envelope", toSpotlight["content-type"], StringComparison.Ordinal);
        Assert.Null(toSpotlight["x-sentry-auth"]);
        Assert.Null(toSpotlight["sentry-trace"]);
        Assert.Contains("sentry_key=publickey", toSentry["x-sentry-auth"], StringComparison.Ordinal);
        Assert.Contains($"Spotlight (http://127.0.0.1:{spotlight.Port}/api/0/envelope/)", Assert.Single(logs.WithEventId(4101)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SpotlightTrue_WithoutADsn_SendsToSpotlightsDefaultUrl()
    {
        await using var factory = ExportHosts.Minimal(new() { ["Tracing:TracesSampleRate"] = "1", ["Tracing:Spotlight"] = "true" });

        var exporter = Assert.Single(factory.Pipeline().Exporters, e => e.Exporter is SentryTraceExporter).Exporter;

        Assert.Equal(new Uri("http://localhost:8969/stream"), ((SentryTraceExporter)exporter).Endpoint);
    }

    [Theory]
    [InlineData("false")]
    [InlineData("")]
    public async Task SpotlightOff_AddsNoExporter(string value)
    {
        await using var factory = ExportHosts.Minimal(new() { ["Tracing:TracesSampleRate"] = "1", ["Tracing:Spotlight"] = value }, environment: "Production");

        _ = factory.CreateClient();

        Assert.Empty(factory.Pipeline().Exporters);
    }
}
