using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TraceMiddleware.Export;
using TraceMiddleware.IntegrationTests.Infrastructure;
using TraceMiddleware.Testing;

namespace TraceMiddleware.IntegrationTests.Export.Sentry;

/// <summary>With a DSN, a sampled request reaches a real loopback receiver as a well-formed transaction.</summary>
public sealed class DsnEndToEndTests
{
    [Fact]
    public async Task SampledRequest_ReachesTheDsn_AsATransactionWithItsChildSpan()
    {
        await using var receiver = await SentryReceiver.StartAsync();
        await using var echo = await EchoServer.StartAsync();
        await using var factory = TestHosts.Minimal(new()
        {
            ["Tracing:Dsn"] = receiver.Dsn.Original,
            ["Tracing:TracesSampleRate"] = "0",
            ["Tracing:Release"] = "orders@2.0.0",
            ["Tracing:Environment"] = "staging",
        });
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/call?url={Uri.EscapeDataString(echo.BaseAddress + "pay")}");
        request.Headers.Add("sentry-trace", $"{traceId}-b7ad6b7169203331-1");
        request.Headers.Add("baggage", $"sentry-trace_id={traceId},sentry-public_key=caller,sentry-sample_rand=0.5,sentry-environment=prod");

        (await factory.CreateClient().SendAsync(request)).EnsureSuccessStatusCode();
        var envelope = await receiver.WaitForTransactionAsync(traceId);

        // The exporter's own request carries no trace header and authenticates with the DSN's key.
        Assert.Null(envelope["sentry-trace"]);
        Assert.Null(envelope["traceparent"]);
        Assert.Null(envelope["baggage"]);
        Assert.Contains("sentry_key=publickey", envelope["x-sentry-auth"], StringComparison.Ordinal);
        Assert.StartsWith("application/x-sentry-envelope", envelope["content-type"], StringComparison.Ordinal);

        // The envelope's trace header is the caller's frozen DSC.
        var dsc = envelope.Header.GetProperty("trace");
        Assert.Equal(traceId, dsc.GetProperty("trace_id").GetString());
        Assert.Equal("caller", dsc.GetProperty("public_key").GetString());
        Assert.Equal("0.5", dsc.GetProperty("sample_rand").GetString());

        var payload = envelope.Payload;
        Assert.Equal("transaction", payload.GetProperty("type").GetString());
        Assert.Equal("GET /call", payload.GetProperty("transaction").GetString());
        Assert.Equal("route", payload.GetProperty("transaction_info").GetProperty("source").GetString());
        Assert.Equal("orders@2.0.0", payload.GetProperty("release").GetString());
        Assert.Equal("staging", payload.GetProperty("environment").GetString());
        Assert.Equal("csharp", payload.GetProperty("platform").GetString());
        var root = payload.GetProperty("contexts").GetProperty("trace");
        Assert.Equal("http.server", root.GetProperty("op").GetString());
        Assert.Equal("ok", root.GetProperty("status").GetString());
        Assert.Equal("b7ad6b7169203331", root.GetProperty("parent_span_id").GetString());
        Assert.True(payload.GetProperty("timestamp").GetDouble() >= payload.GetProperty("start_timestamp").GetDouble());

        var child = Assert.Single(payload.GetProperty("spans").EnumerateArray());
        Assert.Equal("http.client", child.GetProperty("op").GetString());
        Assert.Equal(root.GetProperty("span_id").GetString(), child.GetProperty("parent_span_id").GetString());
        Assert.Equal($"GET {echo.BaseAddress}pay", child.GetProperty("description").GetString());

        // The callee's parent is the span Sentry received.
        var callee = echo.Single("/pay");
        Assert.Equal($"{traceId}-{child.GetProperty("span_id").GetString()}-1", callee["sentry-trace"]);
    }

    [Fact]
    public async Task Shutdown_DeliversEveryQueuedTransaction_WhenTheReceiverIsUp()
    {
        const int requests = 50;
        await using var receiver = await SentryReceiver.StartAsync();
        var factory = TestHosts.Minimal(new() { ["Tracing:Dsn"] = receiver.Dsn.Original, ["Tracing:TracesSampleRate"] = "1" });
        var client = factory.CreateClient();
        for (var i = 0; i < requests; i++)
        {
            (await client.GetAsync($"/api/orders/{i}")).EnsureSuccessStatusCode();
        }

        var queue = factory.Services.GetRequiredService<TraceExportService>().Pipeline!.Queue;
        await Eventually.TrueAsync(() => queue.OfferedCount == requests, "every request's transaction offered to the queue");
        await factory.DisposeAsync();

        Assert.Equal(requests, receiver.Received.Count(e => e.Transaction == "GET /api/orders/{id}"));
    }
}
