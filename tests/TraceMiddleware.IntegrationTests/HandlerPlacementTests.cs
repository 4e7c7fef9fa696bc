using System.Diagnostics;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using TraceMiddleware.IntegrationTests.Infrastructure;
using TraceMiddleware.Testing;
using TraceMiddleware.Tracing;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.IntegrationTests;

public sealed class HandlerPlacementTests
{
    [Fact]
    public async Task AddTracePropagation_InstrumentsOnlyThatClient_WhenAutomaticInstrumentationIsOff()
    {
        await using var echo = await EchoServer.StartAsync();
        await using var factory = TestHosts.Minimal(new() { ["Tracing:InstrumentAllHttpClients"] = "false" })
            .WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddHttpClient("explicit").AddTracePropagation()));
        var clients = factory.Services.GetRequiredService<IHttpClientFactory>();

        await clients.CreateClient("explicit").GetAsync(echo.BaseAddress + "explicit");
        await clients.CreateClient("other").GetAsync(echo.BaseAddress + "other");

        Assert.True(echo.Single("/explicit").Headers.ContainsKey("sentry-trace"));
        Assert.False(echo.Single("/other").Headers.ContainsKey("sentry-trace"));
    }

    [Fact]
    public async Task AddTracePropagationTwice_AndAutomaticInstrumentation_GiveOneHandler()
    {
        await using var echo = await EchoServer.StartAsync();
        await using var factory = TestHosts.Minimal(new() { ["Tracing:TracesSampleRate"] = "1" })
            .WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddHttpClient("twice").AddTracePropagation().AddTracePropagation()));
        var tracer = factory.Services.GetRequiredService<SentryTracer>();
        var client = factory.Services.GetRequiredService<IHttpClientFactory>().CreateClient("twice");

        string traceId;
        using (var root = tracer.StartTransaction("job"))
        {
            traceId = root!.TraceId.ToHexString();
            await client.GetAsync(echo.BaseAddress + "twice");
        }

        var clientSpan = Assert.Single(SpanCollector.ForTrace(traceId), s => (string?)s.GetTagItem(SpanTags.Op) == "http.client");
        Assert.Equal(clientSpan.SpanId.ToHexString(), echo.Single("/twice")["sentry-trace"]![33..49]);
    }
}
