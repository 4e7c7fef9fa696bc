using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using MinimalApp;
using TraceMiddleware.IntegrationTests.Infrastructure;
using TraceMiddleware.Testing;
using TraceMiddleware.Tracing;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.IntegrationTests;

public sealed class ServerSpanTests
{
    private static readonly Dictionary<string, string?> Sampled = new() { ["Tracing:TracesSampleRate"] = "1" };

    [Theory]
    [InlineData("/api/orders/42", "GET /api/orders/{id}", "/api/orders/{id}")]
    [InlineData("/api/customers/5", "GET /api/customers/{customerId:int}", "/api/customers/{customerId:int}")]
    public async Task ServerSpan_IsNamedAfterTheRouteTemplate(string path, string name, string route)
    {
        await using var factory = TestHosts.Minimal(Sampled);
        var client = factory.CreateClient();

        var info = await (await client.GetAsync(path)).Content.ReadFromJsonAsync<SpanInfo>();

        var span = await ServerSpanAsync(info!.TraceId!);
        Assert.Equal(name, span.DisplayName);
        Assert.Equal("route", span.GetTagItem(SpanTags.Source));
        Assert.Equal(route, span.GetTagItem(SpanTags.HttpRoute));
        Assert.Equal("http.server", span.GetTagItem(SpanTags.Op));
        Assert.Equal("auto.http.aspnetcore", span.GetTagItem(SpanTags.Origin));
        Assert.Equal("GET", span.GetTagItem(SpanTags.HttpRequestMethod));
        Assert.Equal(path, span.GetTagItem(SpanTags.UrlPath));
        Assert.Equal(200, span.GetTagItem(SpanTags.HttpResponseStatusCode));
        Assert.Equal("ok", span.GetTagItem(SpanTags.Status));
    }

    [Fact]
    public async Task ActivityCurrent_InTheEndpoint_IsTheServerSpan()
    {
        await using var factory = TestHosts.Minimal(Sampled);
        var client = factory.CreateClient();

        var info = await (await client.GetAsync("/api/orders/1")).Content.ReadFromJsonAsync<SpanInfo>();

        Assert.Equal(info!.SpanId, (await ServerSpanAsync(info.TraceId!)).SpanId.ToHexString());
    }

    [Fact]
    public async Task UnmatchedRoute_IsNamedAfterThePath()
    {
        await using var factory = TestHosts.Minimal(Sampled);
        var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/no/such/page");
        request.Headers.Add("sentry-trace", "4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1");

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var span = await ServerSpanAsync("4bf92f3577b34da6a3ce929d0e0e4736");
        Assert.Equal("GET /no/such/page", span.DisplayName);
        Assert.Equal("url", span.GetTagItem(SpanTags.Source));
        Assert.Equal("not_found", span.GetTagItem(SpanTags.Status));
    }

    [Theory]
    [InlineData(401, "unauthenticated")]
    [InlineData(403, "permission_denied")]
    [InlineData(409, "already_exists")]
    [InlineData(429, "resource_exhausted")]
    [InlineData(400, "invalid_argument")]
    [InlineData(500, "internal_error")]
    [InlineData(503, "unavailable")]
    [InlineData(504, "deadline_exceeded")]
    public async Task Status_IsMappedFromTheResponseCode(int code, string status)
    {
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        await using var factory = TestHosts.Minimal(Sampled);
        var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/status/{code}");
        request.Headers.Add("sentry-trace", $"{traceId}-00f067aa0ba902b7-1");

        await client.SendAsync(request);

        var span = await ServerSpanAsync(traceId);
        Assert.Equal(status, span.GetTagItem(SpanTags.Status));
        Assert.Equal(code, span.GetTagItem(SpanTags.HttpResponseStatusCode));
        Assert.Equal("GET /status/{code:int}", span.DisplayName);
    }

    [Fact]
    public async Task UnhandledException_RecordsInternalError_AndIsRethrownUnchanged()
    {
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        await using var factory = TestHosts.Minimal(Sampled);
        var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/throw");
        request.Headers.Add("sentry-trace", $"{traceId}-00f067aa0ba902b7-1");

        var thrown = await Record.ExceptionAsync(() => client.SendAsync(request));

        // TestServer hands an unhandled exception to the client as it was thrown.
        Assert.IsType<InvalidOperationException>(thrown);
        Assert.Equal("boom", thrown.Message);
        var span = await ServerSpanAsync(traceId);
        Assert.Equal("internal_error", span.GetTagItem(SpanTags.Status));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Contains(span.Events, e => e.Name == "exception");
    }

    [Fact]
    public async Task AbortedRequest_IsCancelled()
    {
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        await using var factory = TestHosts.Minimal(Sampled);
        var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/wait");
        request.Headers.Add("sentry-trace", $"{traceId}-00f067aa0ba902b7-1");
        using var abort = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.SendAsync(request, abort.Token));

        var span = await EventuallyAsync(() => SpanCollector.ForTrace(traceId).SingleOrDefault());
        Assert.Equal("cancelled", span.GetTagItem(SpanTags.Status));
        Assert.Equal(499, span.GetTagItem(SpanTags.HttpResponseStatusCode));
    }

    private static async Task<T> EventuallyAsync<T>(Func<T?> probe)
        where T : class
    {
        for (var i = 0; i < 200; i++)
        {
            if (probe() is { } value)
            {
                return value;
            }

            await Task.Delay(50);
        }

        throw new Xunit.Sdk.XunitException("the span never finished");
    }

    [Fact]
    public async Task RazorPage_IsNamedAfterThePage()
    {
        await using var factory = TestHosts.Pages(Sampled);
        var client = factory.CreateClient();
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("sentry-trace", $"{traceId}-00f067aa0ba902b7-1");

        await client.SendAsync(request);

        Assert.Equal("GET /Index", (await ServerSpanAsync(traceId)).DisplayName);
    }

    [Fact]
    public async Task UseTracingAndAddTracing_GiveOneMiddleware()
    {
        await using var factory = TestHosts.Minimal(new() { ["Tracing:TracesSampleRate"] = "1", ["UseTracingByHand"] = "true" });
        var client = factory.CreateClient();

        var info = await (await client.GetAsync("/api/orders/1")).Content.ReadFromJsonAsync<SpanInfo>();

        var spans = await SpanCollector.WaitForRequestAsync(info!.TraceId!);
        Assert.Single(spans, s => (string?)s.GetTagItem(SpanTags.Op) == "http.server");
        Assert.Equal("0000000000000000", info.ParentSpanId);
    }

    [Fact]
    public async Task ManualSpan_IsAChildOfTheServerSpan()
    {
        await using var factory = TestHosts.Minimal(Sampled);
        var client = factory.CreateClient();

        var info = await (await client.GetAsync("/manual")).Content.ReadFromJsonAsync<SpanInfo>();

        var server = await ServerSpanAsync(info!.TraceId!);
        var db = Assert.Single(SpanCollector.ForTrace(info.TraceId!), s => (string?)s.GetTagItem(SpanTags.Op) == "db.query");
        Assert.Equal(server.SpanId, db.ParentSpanId);
        Assert.Equal(info.SpanId, db.SpanId.ToHexString());
        Assert.Equal("INSERT INTO orders", db.DisplayName);
    }

    /// <summary>The request's server span, once it has stopped (after the response went out).</summary>
    internal static Task<Activity> ServerSpanAsync(string traceId) => SpanCollector.WaitForSpanAsync(traceId, "http.server");
}
