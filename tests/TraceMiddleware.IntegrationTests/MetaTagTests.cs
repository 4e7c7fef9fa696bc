using System.Diagnostics;
using System.Text.RegularExpressions;
using TraceMiddleware.IntegrationTests.Infrastructure;

namespace TraceMiddleware.IntegrationTests;

public sealed partial class MetaTagTests
{
    [Fact]
    public async Task Layout_RendersBothTags_ForTheServerSpan()
    {
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        await using var factory = TestHosts.Pages(new() { ["Tracing:TracesSampleRate"] = "1" });
        var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("sentry-trace", $"{traceId}-00f067aa0ba902b7-1");
        request.Headers.Add("baggage", $"sentry-trace_id={traceId},sentry-environment=prod,sentry-sample_rand=0.5");

        var html = await client.GetStringAsync(request.RequestUri) is var _ ? await (await client.SendAsync(request)).Content.ReadAsStringAsync() : null;

        var match = MetaSentryTrace().Match(html!);
        Assert.True(match.Success, html);
        Assert.Equal(traceId, match.Groups["trace"].Value);
        var server = await ServerSpanTests.ServerSpanAsync(traceId);
        Assert.Equal(server.SpanId.ToHexString(), match.Groups["span"].Value);
        Assert.Equal("1", match.Groups["sampled"].Value);
        Assert.Contains($"<meta name=\"baggage\" content=\"sentry-trace_id={traceId},sentry-environment=prod,sentry-sample_rand=0.5\"/>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TracesSampler_DecidesWithThePagesRoute_BeforeTheTagsAreRendered()
    {
        string? route = null;
        await using var factory = TestHosts.Pages(configure: o => o.TracesSampler = ctx =>
        {
            route = ctx.Route;
            return ctx.Route == "/Index" ? 1 : 0;
        });

        var html = await factory.CreateClient().GetStringAsync("/");

        var match = MetaSentryTrace().Match(html);
        Assert.True(match.Success, html);
        Assert.Equal("/Index", route);
        Assert.Equal("1", match.Groups["sampled"].Value);
        Assert.Contains("sentry-transaction=GET%20%2FIndex", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostileBaggage_IsAttributeEncoded()
    {
        await using var factory = TestHosts.Pages();
        var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("sentry-trace", "4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1");
        request.Headers.TryAddWithoutValidation("baggage", "sentry-trace_id=4bf92f3577b34da6a3ce929d0e0e4736,sentry-release='\"><script>alert(1)</script>,x=\"><img src=x onerror=alert(1)>");

        var html = await (await client.SendAsync(request)).Content.ReadAsStringAsync();

        Assert.DoesNotContain("<script>", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        var content = MetaBaggage().Match(html).Groups["content"].Value;
        Assert.DoesNotContain('"', content);
        Assert.DoesNotContain('\'', content);
        Assert.DoesNotContain('<', content);
    }

    [Fact]
    public async Task PlainHtml_GetsTheSameTagsFromTheMethod()
    {
        await using var factory = TestHosts.Pages(new() { ["Tracing:TracesSampleRate"] = "1" });
        var client = factory.CreateClient();

        var html = await client.GetStringAsync("/plain");

        Assert.Matches(MetaSentryTrace(), html);
        Assert.Contains("<meta name=\"baggage\" content=\"sentry-environment=production,", html, StringComparison.Ordinal);
    }

    [GeneratedRegex("<meta name=\"sentry-trace\" content=\"(?<trace>[0-9a-f]{32})-(?<span>[0-9a-f]{16})-(?<sampled>[01])\"/>")]
    private static partial Regex MetaSentryTrace();

    [GeneratedRegex("<meta name=\"baggage\" content=\"(?<content>[^\"]*)\"/>")]
    private static partial Regex MetaBaggage();
}
