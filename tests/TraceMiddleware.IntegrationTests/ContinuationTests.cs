using System.Net.Http.Json;
using MinimalApp;
using TraceMiddleware.IntegrationTests.Infrastructure;

namespace TraceMiddleware.IntegrationTests;

public sealed class ContinuationTests
{
    private const string TraceId = "771a43a4192642f0b136d5159a501700";
    private const string ParentId = "b7ad6b7169203331";

    private static readonly Dictionary<string, string?> Sampled = new() { ["Tracing:TracesSampleRate"] = "1" };

    [Fact]
    public async Task SentryTrace_IsContinued_WithTheCallerAsParent()
    {
        await using var factory = TestHosts.Minimal(Sampled);
        var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders/7");
        request.Headers.Add("sentry-trace", $"{TraceId}-{ParentId}-1");

        var info = await (await client.SendAsync(request)).Content.ReadFromJsonAsync<SpanInfo>();

        Assert.Equal(TraceId, info!.TraceId);
        Assert.Equal(ParentId, info.ParentSpanId);
        Assert.True(info.Recorded);
    }

    [Fact]
    public async Task Traceparent_IsContinued_WhenThereIsNoSentryTrace()
    {
        await using var factory = TestHosts.Minimal(Sampled);
        var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders/7");
        request.Headers.Add("traceparent", $"00-{TraceId}-{ParentId}-01");

        var info = await (await client.SendAsync(request)).Content.ReadFromJsonAsync<SpanInfo>();

        Assert.Equal(TraceId, info!.TraceId);
        Assert.Equal(ParentId, info.ParentSpanId);
    }

    [Fact]
    public async Task SentryTrace_WinsOverTraceparent()
    {
        await using var factory = TestHosts.Minimal(Sampled);
        var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders/7");
        request.Headers.Add("sentry-trace", $"{TraceId}-{ParentId}-1");
        request.Headers.Add("traceparent", "00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01");

        var info = await (await client.SendAsync(request)).Content.ReadFromJsonAsync<SpanInfo>();

        Assert.Equal(TraceId, info!.TraceId);
    }

    [Fact]
    public async Task Traceparent_IsIgnored_WhenContinueFromTraceparentIsOff()
    {
        await using var factory = TestHosts.Minimal(new() { ["Tracing:TracesSampleRate"] = "1", ["Tracing:ContinueFromTraceparent"] = "false" });
        var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders/7");
        request.Headers.Add("traceparent", $"00-{TraceId}-{ParentId}-01");

        var info = await (await client.SendAsync(request)).Content.ReadFromJsonAsync<SpanInfo>();

        Assert.NotEqual(TraceId, info!.TraceId);
        Assert.Equal("0000000000000000", info.ParentSpanId);
    }

    [Theory]
    [InlineData("771A43A4192642F0B136D5159A501700-B7AD6B7169203331-1")]
    [InlineData("00000000000000000000000000000000-b7ad6b7169203331-1")]
    [InlineData("771a43a4192642f0b136d5159a501700-0000000000000000-1")]
    [InlineData("not a trace")]
    [InlineData("771a43a4192642f0b136d5159a501700-b7ad6b7169203331-2")]
    [InlineData("\"><script>alert(1)</script>")]
    public async Task MalformedSentryTrace_StartsAFreshTrace_AndTheRequestSucceeds(string header)
    {
        await using var factory = TestHosts.Minimal(Sampled);
        var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders/7");
        request.Headers.TryAddWithoutValidation("sentry-trace", header);
        request.Headers.TryAddWithoutValidation("baggage", "sentry-trace_id=771a43a4192642f0b136d5159a501700,sentry-sampled=false");

        var response = await client.SendAsync(request);
        var info = await response.Content.ReadFromJsonAsync<SpanInfo>();

        Assert.True(response.IsSuccessStatusCode);
        Assert.NotEqual(TraceId, info!.TraceId);
        Assert.Equal("0000000000000000", info.ParentSpanId);
        Assert.True(info.Recorded);
    }

    [Fact]
    public async Task SeveralSentryTraceValues_TheFirstCounts()
    {
        await using var factory = TestHosts.Minimal(Sampled);
        var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders/7");
        request.Headers.TryAddWithoutValidation("sentry-trace", [$"{TraceId}-{ParentId}-1", "0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-1"]);

        var info = await (await client.SendAsync(request)).Content.ReadFromJsonAsync<SpanInfo>();

        Assert.Equal(TraceId, info!.TraceId);
    }

    [Fact]
    public async Task MalformedTraceparent_StartsAFreshTrace()
    {
        await using var factory = TestHosts.Minimal(Sampled);
        var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders/7");
        request.Headers.TryAddWithoutValidation("traceparent", $"ff-{TraceId}-{ParentId}-01");

        var response = await client.SendAsync(request);
        var info = await response.Content.ReadFromJsonAsync<SpanInfo>();

        Assert.True(response.IsSuccessStatusCode);
        Assert.NotEqual(TraceId, info!.TraceId);
    }

    [Fact]
    public async Task OrgMismatch_StartsANewTrace()
    {
        await using var factory = TestHosts.Minimal(new() { ["Tracing:TracesSampleRate"] = "1", ["Tracing:OrgId"] = "1" });
        var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders/7");
        request.Headers.Add("sentry-trace", $"{TraceId}-{ParentId}-1");
        request.Headers.Add("baggage", $"sentry-trace_id={TraceId},sentry-org_id=2");

        var info = await (await client.SendAsync(request)).Content.ReadFromJsonAsync<SpanInfo>();

        Assert.NotEqual(TraceId, info!.TraceId);
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public async Task MissingIncomingOrg_IsContinuedOnlyWhenNotStrict(bool strict, bool continued)
    {
        await using var factory = TestHosts.Minimal(new()
        {
            ["Tracing:TracesSampleRate"] = "1",
            ["Tracing:OrgId"] = "1",
            ["Tracing:StrictTraceContinuation"] = strict ? "true" : "false",
        });
        var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders/7");
        request.Headers.Add("sentry-trace", $"{TraceId}-{ParentId}-1");

        var info = await (await client.SendAsync(request)).Content.ReadFromJsonAsync<SpanInfo>();

        Assert.Equal(continued, info!.TraceId == TraceId);
    }

    [Fact]
    public async Task UntrustedCaller_GetsAFreshTrace()
    {
        await using var factory = TestHosts.Minimal(Sampled, o => o.TrustIncomingTraceHeaders = ctx => !ctx.Request.Headers.ContainsKey("x-external"));
        var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders/7");
        request.Headers.Add("sentry-trace", $"{TraceId}-{ParentId}-1");
        request.Headers.Add("x-external", "1");

        var info = await (await client.SendAsync(request)).Content.ReadFromJsonAsync<SpanInfo>();

        Assert.NotEqual(TraceId, info!.TraceId);
    }
}
