using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
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

    [Fact]
    public async Task TheShopsStartUpProbe_FindsARealSpotlight_AndNothingElse()
    {
        // Arrange: a real sidecar, a server that answers /health but is not Spotlight, and a closed port.
        await using var spotlight = await SpotlightProcess.StartAsync();
        var (other, otherAddress) = await LoopbackServer.StartAsync(context => context.Response.WriteAsync("OK"));
        await using var _ = other;
        int closedPort;
        using (var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            listener.Start();
            closedPort = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }

        // Act: as the Shop asks at start-up, but with time to spare for a loaded machine.
        var timeout = TimeSpan.FromSeconds(10);
        var real = await Shop.SpotlightProbe.IsRunningAsync(new Uri($"http://localhost:{spotlight.Port}/"), timeout);
        var impostor = await Shop.SpotlightProbe.IsRunningAsync(otherAddress, timeout);
        var nothing = await Shop.SpotlightProbe.IsRunningAsync(new Uri($"http://127.0.0.1:{closedPort}/"), timeout);

        // Assert
        Assert.Equal((true, false, false), (real, impostor, nothing));
    }
}
