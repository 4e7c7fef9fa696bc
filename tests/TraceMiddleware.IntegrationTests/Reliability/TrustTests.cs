using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Http;
using MinimalApp;
using TraceMiddleware.IntegrationTests.Infrastructure;
using TraceMiddleware.Testing;

namespace TraceMiddleware.IntegrationTests.Reliability;

/// <summary>An untrusted caller's trace headers are ignored: it gets a fresh trace and nothing it sent is forwarded.</summary>
public sealed class TrustTests
{
    private const string CallerTrace = "771a43a4192642f0b136d5159a501700";

    // A typical rule: only callers inside the cluster (here: those that say so) are trusted.
    private static bool Trusted(HttpContext context) => context.Request.Headers.ContainsKey("x-internal");

    [Fact]
    public async Task UntrustedCaller_CannotForceSampling()
    {
        await using var factory = TestHosts.Minimal(new() { ["Tracing:TracesSampleRate"] = "0" }, o => o.TrustIncomingTraceHeaders = Trusted);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders/1");
        request.Headers.Add("sentry-trace", $"{CallerTrace}-b7ad6b7169203331-1");

        var info = await (await factory.CreateClient().SendAsync(request)).Content.ReadFromJsonAsync<SpanInfo>();

        Assert.False(info!.Recorded);
        Assert.NotEqual(CallerTrace, info.TraceId);
    }

    [Fact]
    public async Task UntrustedCaller_CannotInjectBaggageThatIsForwarded()
    {
        await using var echo = await EchoServer.StartAsync();
        await using var factory = TestHosts.Minimal(configure: o => o.TrustIncomingTraceHeaders = Trusted);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/call?url={Uri.EscapeDataString(echo.BaseAddress + "internal")}");
        request.Headers.Add("sentry-trace", $"{CallerTrace}-b7ad6b7169203331-1");
        request.Headers.Add("baggage", $"sentry-trace_id={CallerTrace},sentry-release=evil,tenant=admin");

        var seen = await (await factory.CreateClient().SendAsync(request)).Content.ReadFromJsonAsync<Dictionary<string, string>>();

        Assert.DoesNotContain(CallerTrace, seen!["sentry-trace"], StringComparison.Ordinal);
        Assert.DoesNotContain("tenant", seen["baggage"], StringComparison.Ordinal);
        Assert.DoesNotContain("evil", seen["baggage"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task TrustedCaller_IsContinued()
    {
        await using var factory = TestHosts.Minimal(new() { ["Tracing:TracesSampleRate"] = "0" }, o => o.TrustIncomingTraceHeaders = Trusted);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders/1");
        request.Headers.Add("sentry-trace", $"{CallerTrace}-b7ad6b7169203331-1");
        request.Headers.Add("x-internal", "1");

        var info = await (await factory.CreateClient().SendAsync(request)).Content.ReadFromJsonAsync<SpanInfo>();

        Assert.True(info!.Recorded);
        Assert.Equal(CallerTrace, info.TraceId);
    }

    [Theory]
    [InlineData(@"^(a+)+$")]
    [InlineData(@"^(?=(a+)+$)\w+$")]
    [InlineData(@"^(a|aa)+\1$")]
    public async Task CatastrophicTargetPattern_NeitherHangsNorLeaks(string pattern)
    {
        await using var echo = await EchoServer.StartAsync();
        await using var factory = TestHosts.Minimal(new() { ["Tracing:TracePropagationTargets:0"] = pattern });
        var url = echo.BaseAddress + new string('a', 5000) + "!";

        var response = await factory.CreateClient().GetAsync($"/call?url={Uri.EscapeDataString(url)}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = await response.Content.ReadFromJsonAsync<Dictionary<string, string>>();
        Assert.False(seen!.ContainsKey("sentry-trace"));
        Assert.False(seen.ContainsKey("traceparent"));
    }
}
