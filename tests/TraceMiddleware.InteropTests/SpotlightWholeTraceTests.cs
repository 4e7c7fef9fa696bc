using System.Text.Json;
using Shop;
using TraceMiddleware.InteropTests.Infrastructure;

namespace TraceMiddleware.InteropTests;

/// <summary>
/// The Shop sample and a real Spotlight: with every DSN pointing at it, or with no DSN and the Spotlight option,
/// the browser's pageload and the storefront, orders and payments transactions all arrive there, in one trace.
/// </summary>
public sealed class SpotlightWholeTraceTests
{
    private static readonly string[] ServerTransactions = ["GET /Index", "POST /api/orders", "POST /charge"];

    [Fact]
    public async Task Spotlight_ReceivesTheWholeTrace_BrowserAndThreeServices()
    {
        // Arrange: the services send directly, the browser through the storefront's tunnel.
        await using var spotlight = await SpotlightProcess.StartAsync();
        await using var shop = await ShopUnderTest.StartAsync((key, project) => $"http://{key}@127.0.0.1:{spotlight.Port}/{project}");

        // Act
        var traceId = await PlaceOrderAsync(shop, spotlight);

        var transactions = await spotlight.TailTraceAsync(traceId, HasEveryPart, Waits.Peer + Waits.Peer);

        // Assert
        Assert.Contains(transactions, t => Op(t) == "pageload");
        foreach (var name in ServerTransactions)
        {
            var server = Assert.Single(transactions, t => Name(t) == name);
            Assert.Equal("http.server", Op(server));
            Assert.Equal("ok", server.GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task SpotlightOption_WithoutAnyDsn_InDevelopment_TheWholeTraceArrives_TheBrowsersThroughTheTunnel()
    {
        // Arrange: as `dotnet run` starts the sample with a Spotlight sidecar running: no DSN anywhere.
        await using var spotlight = await SpotlightProcess.StartAsync();
        var logs = new TraceMiddleware.Testing.CapturingLoggerProvider();
        await using var shop = await ShopUnderTest.StartDevelopmentAsync(logs, new() { ["Tracing:Spotlight"] = $"http://localhost:{spotlight.Port}/stream" });

        // Act
        var traceId = await PlaceOrderAsync(shop, spotlight);

        var transactions = await spotlight.TailTraceAsync(traceId, seen => HasEveryPart(seen) && seen.Any(t => Op(t) == "ui.action"), Waits.Peer + Waits.Peer);

        // Assert: the three services sent theirs, and the storefront's tunnel copied the browser's pageload and its order.
        foreach (var name in ServerTransactions)
        {
            Assert.Equal("http.server", Op(Assert.Single(transactions, t => Name(t) == name)));
        }

        Assert.Equal("process_order", Name(Assert.Single(transactions, t => Op(t) == "ui.action")));
        Assert.Single(transactions, t => Op(t) == "pageload");
    }

    /// <summary>Opens the storefront, waits until Spotlight has its pageload, places an order; returns the trace id.</summary>
    private static async Task<string> PlaceOrderAsync(ShopServices shop, SpotlightProcess spotlight)
    {
        await using var browser = await BrowserSession.OpenAsync(shop.Links.Storefront!);
        var traceId = browser.MetaSentryTrace![..32];
        await spotlight.TailTraceAsync(traceId, seen => seen.Any(t => Op(t) == "pageload"), Waits.Peer);
        var (state, text) = await browser.PlaceOrderAsync();
        Assert.True(state == "done", $"the page shows '{text}'.\nbrowser:\n{browser.Diagnostics}");
        return traceId;
    }

    private static bool HasEveryPart(IReadOnlyList<JsonElement> seen) =>
        seen.Any(t => Op(t) == "pageload") && ServerTransactions.All(name => seen.Any(t => Name(t) == name));

    private static string? Op(JsonElement transaction) => transaction.TryGetProperty("op", out var op) ? op.GetString() : null;

    private static string? Name(JsonElement transaction) => transaction.TryGetProperty("transaction", out var name) ? name.GetString() : null;
}
