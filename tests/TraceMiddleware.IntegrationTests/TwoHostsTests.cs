using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using TraceMiddleware.IntegrationTests.Export.Sentry;
using TraceMiddleware.IntegrationTests.Infrastructure;
using TraceMiddleware.Testing;

namespace TraceMiddleware.IntegrationTests;

/// <summary>
/// Two hosts in one process, each with its own targets, rate and DSN: every setting is the host's own, for
/// requests, for calls made inside them, and for calls made outside any span.
/// </summary>
public sealed class TwoHostsTests
{
    [Fact]
    public async Task TwoHosts_InOneProcess_KeepTheirOwnTargetsRatesAndDsns()
    {
        await using var echo = await EchoServer.StartAsync();
        await using var sentryA = await SentryReceiver.StartAsync();
        await using var sentryB = await SentryReceiver.StartAsync();
        var a = TestHosts.Minimal(new()
        {
            ["Tracing:Dsn"] = sentryA.Dsn.Original,
            ["Tracing:TracesSampleRate"] = "1",
            ["Tracing:TracePropagationTargets:0"] = $"^{echo.BaseAddress}",
        });
        var b = TestHosts.Minimal(new()
        {
            ["Tracing:Dsn"] = sentryB.Dsn.Original,
            ["Tracing:TracesSampleRate"] = "0",
            ["Tracing:TracePropagationTargets:0"] = "^https://only\\.example\\.com/",
        });
        var traceA = ActivityTraceId.CreateRandom().ToHexString();
        var traceB = ActivityTraceId.CreateRandom().ToHexString();

        await Task.WhenAll(
            CallAsync(a, traceA, echo.BaseAddress + "a/request"),
            CallAsync(b, traceB, echo.BaseAddress + "b/request"),
            CallOutsideAnySpanAsync(a, echo.BaseAddress + "a/no-span"),
            CallOutsideAnySpanAsync(b, echo.BaseAddress + "b/no-span"));

        Assert.Matches($"^{traceA}-[0-9a-f]{{16}}-1$", echo.Single("/a/request")["sentry-trace"]);
        Assert.Empty(echo.Single("/b/request").TraceHeadersPresent);

        // Outside any span a factory client still carries a trace of its own, deferred, to its own host's targets.
        Assert.Matches("^[0-9a-f]{32}-[0-9a-f]{16}$", echo.Single("/a/no-span")["sentry-trace"]);
        Assert.Empty(echo.Single("/b/no-span").TraceHeadersPresent);

        await sentryA.WaitForTransactionAsync(traceA);
        await a.DisposeAsync();
        await b.DisposeAsync();
        Assert.DoesNotContain(sentryA.Received, e => SentryReceiverWaits.TraceIdOf(e) == traceB);
        Assert.Empty(sentryB.Received);
    }

    [Fact]
    public async Task PlainHttpClient_OutsideAnySpan_SendsNoTraceHeader_EvenToALoopbackTarget()
    {
        await using var echo = await EchoServer.StartAsync();
        await using var factory = TestHosts.Minimal(new() { ["Tracing:TracesSampleRate"] = "1" });
        _ = factory.Services;

        await Task.Run(async () =>
        {
            // No span, and a process-wide propagator: no host's targets to ask, so nothing leaves.
            Activity.Current = null;
            using var plain = new HttpClient();
            (await plain.GetAsync(echo.BaseAddress + "plain")).Dispose();
        });

        Assert.Empty(echo.Single("/plain").TraceHeadersPresent);
    }

    private static async Task CallAsync(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<MinimalApp.Program> host, string traceId, string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/call?url={Uri.EscapeDataString(url)}");
        request.Headers.Add("sentry-trace", $"{traceId}-b7ad6b7169203331");
        (await host.CreateClient().SendAsync(request)).EnsureSuccessStatusCode();
    }

    private static Task CallOutsideAnySpanAsync(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<MinimalApp.Program> host, string url) => Task.Run(async () =>
    {
        Activity.Current = null;
        var client = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient("downstream");
        (await client.GetAsync(url)).Dispose();
    });
}
