using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TraceMiddleware.InteropTests.Infrastructure;
using TraceMiddleware.Testing;

namespace TraceMiddleware.InteropTests;

/// <summary>
/// <c>Tracing:Spotlight</c> against a real Spotlight sidecar: an app with no DSN sends its transactions to
/// Spotlight's <c>/stream</c>, and <c>spotlight tail</c> prints them with our trace id.
/// </summary>
public sealed class SpotlightOptionTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    public async Task SpotlightOption_TheTransactionArrivesInSpotlight_WithOurTraceId(string host)
    {
        // Arrange: an app with no DSN, in Production (no console), Spotlight at its /stream URL.
        await using var spotlight = await SpotlightProcess.StartAsync();
        var (app, address) = await LoopbackServer.StartAsync(
            app => app.MapGet("/orders/{id}", (int id) => $"order {id}"),
            builder =>
            {
                builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["Tracing:TracesSampleRate"] = "1",
                    ["Tracing:Spotlight"] = $"http://{host}:{spotlight.Port.ToString(CultureInfo.InvariantCulture)}/stream",
                });
                builder.Services.AddTracing();
            });
        await using var _ = app;
        var traceId = ActivityTraceId.CreateRandom().ToHexString();

        // Act
        using (var client = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = null }) { BaseAddress = address })
        using (var request = new HttpRequestMessage(HttpMethod.Get, "orders/7"))
        {
            request.Headers.Add("sentry-trace", $"{traceId}-b7ad6b7169203331-1");
            (await client.SendAsync(request)).EnsureSuccessStatusCode();
        }

        var parsed = await spotlight.TailTraceAsync(traceId, Waits.Peer);

        // Assert
        Assert.Equal(traceId, parsed.GetProperty("trace_id").GetString());
        Assert.Equal("GET /orders/{id}", parsed.GetProperty("transaction").GetString());
        Assert.Equal("http.server", parsed.GetProperty("op").GetString());
        Assert.Equal("ok", parsed.GetProperty("status").GetString());
        Assert.Equal("csharp", parsed.GetProperty("platform").GetString());
    }
}
