using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using TraceMiddleware.IntegrationTests.Infrastructure;
using TraceMiddleware.Testing;
using TraceMiddleware.Tracing;

namespace TraceMiddleware.IntegrationTests;

/// <summary>What really reaches a loopback Kestrel server when the app calls it.</summary>
public sealed class OutgoingTests
{
    // Tests run in parallel and the span collector is process-wide: each test has its own trace.
    private readonly string TraceId = System.Diagnostics.ActivityTraceId.CreateRandom().ToHexString();

    private string IncomingBaggage => $"sentry-environment=prod,sentry-release=api%401.0,sentry-public_key=pk,sentry-trace_id={TraceId},sentry-sampled=true,sentry-sample_rand=0.25,vendor=acme";

    [Fact]
    public async Task Target_GetsSentryTraceWithTheClientSpanAsParent_AndTheFrozenBaggage()
    {
        await using var echo = await EchoServer.StartAsync();
        await using var factory = TestHosts.Minimal(new() { ["Tracing:TracesSampleRate"] = "0" });

        var seen = await CallAsync(factory, echo.BaseAddress + "orders", plain: false);

        Assert.Matches($"^{TraceId}-[0-9a-f]{{16}}-1$", seen["sentry-trace"]);
        var clientSpanId = seen["sentry-trace"][33..49];
        var clientSpan = Assert.Single(SpanCollector.ForTrace(TraceId), s => (string?)s.GetTagItem(SpanTags.Op) == "http.client");
        Assert.Equal(clientSpanId, clientSpan.SpanId.ToHexString());
        Assert.Equal((await ServerSpanTests.ServerSpanAsync(TraceId)).SpanId, clientSpan.ParentSpanId);
        Assert.Equal($"GET {echo.BaseAddress}orders", clientSpan.DisplayName);
        Assert.Equal("ok", clientSpan.GetTagItem(SpanTags.Status));
        Assert.Equal(IncomingBaggage, seen["baggage"]);
        Assert.False(seen.ContainsKey("traceparent"));
    }

    [Fact]
    public async Task ThirdPartyBaggage_IsDropped_WhenTheOptionIsOff()
    {
        await using var echo = await EchoServer.StartAsync();
        await using var factory = TestHosts.Minimal(new() { ["Tracing:PropagateThirdPartyBaggage"] = "false" });

        var seen = await CallAsync(factory, echo.BaseAddress + "orders", plain: false);

        Assert.DoesNotContain("vendor=acme", seen["baggage"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task PropagateTraceparent_AddsTraceparentWithTheSameIds_AndTheIncomingTracestate()
    {
        await using var echo = await EchoServer.StartAsync();
        await using var factory = TestHosts.Minimal(new() { ["Tracing:PropagateTraceparent"] = "true" });

        var seen = await CallAsync(factory, echo.BaseAddress + "orders", plain: false, tracestate: "vendor=opaque", traceparent: $"00-{TraceId}-00f067aa0ba902b7-01");

        var spanId = seen["sentry-trace"][33..49];
        Assert.Equal($"00-{TraceId}-{spanId}-01", seen["traceparent"]);
        Assert.Equal("vendor=opaque", seen["tracestate"]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task NonTarget_ReceivesNoTraceHeaderOfAnyKind(bool plain)
    {
        await using var echo = await EchoServer.StartAsync();
        await using var factory = TestHosts.Minimal(new() { ["Tracing:TracePropagationTargets:0"] = "localhost" });

        var seen = await CallAsync(factory, echo.BaseAddress + "elsewhere", plain);

        AssertNoTraceHeader(seen);
    }

    [Fact]
    public async Task PlainHttpClient_ToATarget_GetsOurHeaders()
    {
        await using var echo = await EchoServer.StartAsync();
        await using var factory = TestHosts.Minimal();

        var seen = await CallAsync(factory, echo.BaseAddress + "plain", plain: true);

        Assert.Matches($"^{TraceId}-[0-9a-f]{{16}}-1$", seen["sentry-trace"]);
        Assert.StartsWith("sentry-environment=prod", seen["baggage"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task RegexTargetFromConfiguration_MatchesOnlyItsPath()
    {
        await using var echo = await EchoServer.StartAsync();
        await using var factory = TestHosts.Minimal(new() { ["Tracing:TracePropagationTargets:0"] = @"^http://127\.0\.0\.1:\d+/allowed" });

        var allowed = await CallAsync(factory, echo.BaseAddress + "allowed/x", plain: false);
        var denied = await CallAsync(factory, echo.BaseAddress + "denied/x", plain: false);

        Assert.True(allowed.ContainsKey("sentry-trace"));
        AssertNoTraceHeader(denied);
    }

    [Fact]
    public async Task TargetInTheQueryString_DoesNotMatch()
    {
        await using var echo = await EchoServer.StartAsync();
        await using var factory = TestHosts.Minimal(new() { ["Tracing:TracePropagationTargets:0"] = "api.internal.example" });

        var seen = await CallAsync(factory, echo.BaseAddress + "x?next=api.internal.example#api.internal.example", plain: false);

        AssertNoTraceHeader(seen);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RedirectFromATargetToANonTarget_CarriesNoTraceHeader(bool plain)
    {
        await using var target = await EchoServer.StartAsync();
        await using var other = await EchoServer.StartAsync();
        await using var factory = TestHosts.Minimal(new() { ["Tracing:TracePropagationTargets:0"] = $"127.0.0.1:{target.BaseAddress.Port}" });

        var final = await CallAsync(factory, target.BaseAddress + "redirect?to=" + Uri.EscapeDataString(other.BaseAddress + "landed"), plain);

        Assert.True(target.Single("/redirect").Headers.ContainsKey("sentry-trace"));
        AssertNoTraceHeader(final);
        Assert.Empty(other.Single("/landed").TraceHeadersPresent.ToList());
    }

    [Fact]
    public async Task AppSetSentryTrace_IsNeverOverwritten()
    {
        await using var echo = await EchoServer.StartAsync();
        await using var factory = TestHosts.Minimal();
        using var client = new HttpClient(new Http.TracePropagationHandler(factory.Services.GetRequiredService<TracingRuntime>()) { InnerHandler = new HttpClientHandler() });
        using var request = new HttpRequestMessage(HttpMethod.Get, echo.BaseAddress + "own");
        request.Headers.Add("sentry-trace", "0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-0");

        await client.SendAsync(request);

        Assert.Equal("0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-0", echo.Single("/own")["sentry-trace"]);
    }

    [Fact]
    public async Task WithoutAnActiveSpan_TheHandlerStillPropagatesATrace()
    {
        await using var echo = await EchoServer.StartAsync();
        await using var factory = TestHosts.Minimal();
        var clientFactory = factory.Services.GetRequiredService<IHttpClientFactory>();

        Assert.Null(System.Diagnostics.Activity.Current);

        await clientFactory.CreateClient("downstream").GetAsync(echo.BaseAddress + "job");

        Assert.Matches("^[0-9a-f]{32}-[0-9a-f]{16}$", echo.Single("/job")["sentry-trace"]);
    }

    internal static void AssertNoTraceHeader(Dictionary<string, string> seen)
    {
        foreach (var name in ReceivedRequest.TraceHeaderNames)
        {
            Assert.False(seen.ContainsKey(name), $"{name} reached a host that is not a target: {seen.GetValueOrDefault(name)}");
        }
    }

    internal async Task<Dictionary<string, string>> CallAsync(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<MinimalApp.Program> factory, string url, bool plain, string? tracestate = null, string? traceparent = null)
    {
        var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/call?url={Uri.EscapeDataString(url)}&plain={plain}");
        request.Headers.Add("sentry-trace", $"{TraceId}-b7ad6b7169203331-1");
        request.Headers.Add("baggage", IncomingBaggage);
        if (tracestate is not null)
        {
            request.Headers.Add("tracestate", tracestate);
        }

        if (traceparent is not null)
        {
            request.Headers.Add("traceparent", traceparent);
        }

        var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<Dictionary<string, string>>())!;
    }
}
