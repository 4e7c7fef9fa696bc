using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using MinimalApp;
using TraceMiddleware.Sampling;
using TraceMiddleware.IntegrationTests.Infrastructure;
using TraceMiddleware.Testing;

namespace TraceMiddleware.IntegrationTests;

public sealed class SamplingTests
{
    private const string TraceId = "771a43a4192642f0b136d5159a501700";
    private const string ParentId = "b7ad6b7169203331";

    [Theory]
    [InlineData("-1", "0", true)]
    [InlineData("-0", "1", false)]
    public async Task IncomingDecision_WinsOverTheLocalRate(string flag, string rate, bool recorded)
    {
        await using var factory = TestHosts.Minimal(new() { ["Tracing:TracesSampleRate"] = rate });
        var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders/1");
        request.Headers.Add("sentry-trace", $"{TraceId}-{ParentId}{flag}");

        var info = await (await client.SendAsync(request)).Content.ReadFromJsonAsync<SpanInfo>();

        Assert.Equal(recorded, info!.Recorded);
    }

    [Theory]
    [InlineData("0.25", "0.5", true)]
    [InlineData("0.75", "0.5", false)]
    [InlineData("0.5", "0.5", false)]
    public async Task DeferredIncoming_ComparesTheIncomingSampleRandWithTheLocalRate(string sampleRand, string rate, bool recorded)
    {
        await using var factory = TestHosts.Minimal(new() { ["Tracing:TracesSampleRate"] = rate });
        var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders/1");
        request.Headers.Add("sentry-trace", $"{TraceId}-{ParentId}");
        request.Headers.Add("baggage", $"sentry-trace_id={TraceId},sentry-sample_rand={sampleRand}");

        var info = await (await client.SendAsync(request)).Content.ReadFromJsonAsync<SpanInfo>();

        Assert.Equal(recorded, info!.Recorded);
    }

    [Fact]
    public async Task TracesSampler_SeesTheParentDecision_AndWins()
    {
        bool? seen = null;
        await using var factory = TestHosts.Minimal(configure: o => o.TracesSampler = ctx =>
        {
            seen = ctx.ParentSampled;
            return 0;
        });
        var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders/1");
        request.Headers.Add("sentry-trace", $"{TraceId}-{ParentId}-1");

        var info = await (await client.SendAsync(request)).Content.ReadFromJsonAsync<SpanInfo>();

        Assert.True(seen);
        Assert.False(info!.Recorded);
    }

    [Theory]
    [InlineData("/api/orders/42", "GET /api/orders/{id}", "/api/orders/{id}")]
    [InlineData("/api/customers/7", "GET /api/customers/{customerId:int}", "/api/customers/{customerId:int}")]
    public async Task TracesSampler_SeesTheRouteTemplateAndTheEndpoint_AndItsDecisionIsTheSpans(string path, string name, string route)
    {
        SamplingContext? seen = null;
        Endpoint? requestEndpoint = null;
        await using var factory = TestHosts.Minimal(configure: o => o.TracesSampler = ctx =>
        {
            seen = ctx;
            requestEndpoint = ctx.HttpContext?.GetEndpoint();
            return ctx.Route == route ? 1 : 0;
        });

        var info = await factory.CreateClient().GetFromJsonAsync<SpanInfo>(path);

        Assert.NotNull(seen);
        Assert.Equal(name, seen.Name);
        Assert.Equal(route, seen.Route);
        Assert.NotNull(seen.Endpoint);
        Assert.Same(requestEndpoint, seen.Endpoint);
        Assert.True(info!.Recorded);
        Assert.Equal(name, info.Name);
    }

    [Fact]
    public async Task TracesSampler_DecidesWithTheRoute_BeforeTheFirstOutgoingCall()
    {
        await using var echo = await EchoServer.StartAsync();
        var calls = 0;
        await using var factory = TestHosts.Minimal(configure: o => o.TracesSampler = ctx =>
        {
            Interlocked.Increment(ref calls);
            return ctx.Route == "/call" ? 0 : 1;
        });

        (await factory.CreateClient().GetAsync($"/call?url={Uri.EscapeDataString(echo.BaseAddress + "x")}")).EnsureSuccessStatusCode();

        Assert.EndsWith("-0", echo.Single("/x")["sentry-trace"], StringComparison.Ordinal);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task NoRateAndNoSampler_PropagatesADeferredDecisionAndRecordsNothing()
    {
        await using var echo = await EchoServer.StartAsync();
        await using var factory = TestHosts.Minimal();
        var client = factory.CreateClient();

        var response = await client.GetAsync($"/call?url={Uri.EscapeDataString(echo.BaseAddress + "d")}");
        var seen = await response.Content.ReadFromJsonAsync<Dictionary<string, string>>();

        var sentryTrace = seen!["sentry-trace"];
        Assert.Matches("^[0-9a-f]{32}-[0-9a-f]{16}$", sentryTrace);
        Assert.DoesNotContain("sentry-sampled", seen["baggage"], StringComparison.Ordinal);
        Assert.DoesNotContain(await SpanCollector.WaitForRequestAsync(sentryTrace[..32]), a => a.Recorded);
    }

    [Theory]
    [InlineData("OPTIONS")]
    [InlineData("HEAD")]
    public async Task OptionsAndHead_AreNotSampled(string method)
    {
        await using var factory = TestHosts.Minimal(new() { ["Tracing:TracesSampleRate"] = "1" });
        var client = factory.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), "/api/orders/1");
        request.Headers.Add("sentry-trace", $"{TraceId}-{ParentId}-1");

        await client.SendAsync(request);

        Assert.DoesNotContain(await SpanCollector.WaitForRequestAsync(TraceId), a => a.Recorded && a.DisplayName.StartsWith(method, StringComparison.Ordinal));
    }

    [Fact]
    public async Task HeadOfTrace_SendsTheDecisionAndTheSampleRandItWasMadeWith()
    {
        await using var echo = await EchoServer.StartAsync();
        await using var factory = TestHosts.Minimal(new()
        {
            ["Tracing:TracesSampleRate"] = "1",
            ["Tracing:Release"] = "shop@1.2.3",
            ["Tracing:Environment"] = "staging",
            ["Tracing:Dsn"] = "https://abc123@o42.ingest.sentry.io/7",
        });
        var client = factory.CreateClient();

        var seen = await (await client.GetAsync($"/call?url={Uri.EscapeDataString(echo.BaseAddress + "d")}")).Content.ReadFromJsonAsync<Dictionary<string, string>>();

        var traceId = seen!["sentry-trace"][..32];
        Assert.EndsWith("-1", seen["sentry-trace"], StringComparison.Ordinal);
        Assert.Matches(
            $"^sentry-environment=staging,sentry-release=shop%401\\.2\\.3,sentry-public_key=abc123,sentry-trace_id={traceId},sentry-org_id=42,sentry-transaction=GET%20%2Fcall,sentry-sampled=true,sentry-sample_rand=0(\\.\\d{{1,6}})?,sentry-sample_rate=1$",
            seen["baggage"]);
    }
}
