using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using MinimalApp;
using TraceMiddleware.IntegrationTests.Infrastructure;

namespace TraceMiddleware.IntegrationTests.Tunnel;

/// <summary>
/// <c>Server-Timing</c>, the other way (with the tunnel) the browser side is served: what the browser SDK
/// reads on page load when a page has no meta tags.
/// </summary>
public sealed partial class ServerTimingTests
{
    private readonly string _traceId = System.Diagnostics.ActivityTraceId.CreateRandom().ToHexString();

    [Fact]
    public async Task Off_ByDefault_NoHeader()
    {
        await using var factory = TestHosts.Pages(new() { ["Tracing:TracesSampleRate"] = "1" });

        using var response = await factory.CreateClient().GetAsync("/");

        Assert.False(response.Headers.Contains("Server-Timing"));
    }

    [Fact]
    public async Task On_ContinuedTrace_HeaderHasTheMetaTagsValues()
    {
        await using var factory = TestHosts.Pages(new() { ["Tracing:TracesSampleRate"] = "1", ["Tracing:ServerTimingHeader"] = "true" });
        using var request = Incoming("/", $"sentry-trace_id={_traceId},sentry-environment=prod,sentry-release=shop%401.0,sentry-sample_rand=0.5,vendor=acme");

        using var response = await factory.CreateClient().SendAsync(request);
        var html = await response.Content.ReadAsStringAsync();

        var timing = Parse(response);
        Assert.Equal(Meta(html, "sentry-trace"), timing["sentry-trace"]);
        Assert.Equal(Meta(html, "baggage"), timing["baggage"]);
        Assert.Equal($"{_traceId}-{(await ServerSpanTests.ServerSpanAsync(_traceId)).SpanId.ToHexString()}-1", timing["sentry-trace"]);
    }

    [Fact]
    public async Task On_NewTrace_HeaderNamesTheServerSpan_AndItsHeadBaggage()
    {
        await using var factory = TestHosts.Pages(new() { ["Tracing:TracesSampleRate"] = "1", ["Tracing:ServerTimingHeader"] = "true", ["Tracing:Release"] = "shop@1.4.0" });

        using var response = await factory.CreateClient().GetAsync("/plain");
        var html = await response.Content.ReadAsStringAsync();

        var timing = Parse(response);
        Assert.Equal(Meta(html, "sentry-trace"), timing["sentry-trace"]);
        Assert.Equal(Meta(html, "baggage"), timing["baggage"]);
        Assert.Contains("sentry-release=shop%401.4.0", timing["baggage"], StringComparison.Ordinal);
        Assert.Contains("sentry-transaction=GET%20%2Fplain", timing["baggage"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_ApiResponse_NamesTheServerSpan()
    {
        await using var factory = TestHosts.Minimal(new() { ["Tracing:TracesSampleRate"] = "1", ["Tracing:ServerTimingHeader"] = "true" });

        using var response = await factory.CreateClient().GetAsync("/api/orders/7");
        var span = await response.Content.ReadFromJsonAsync<SpanInfo>();

        Assert.Equal($"{span!.TraceId}-{span.SpanId}-1", Parse(response)["sentry-trace"]);
    }

    [Fact]
    public async Task On_HostileIncomingBaggage_HeaderStaysOneParseableValue_EqualToTheMetaTag()
    {
        await using var factory = TestHosts.Pages(new() { ["Tracing:ServerTimingHeader"] = "true" });
        using var request = Incoming("/", $"sentry-trace_id={_traceId},sentry-release=\"a\\\"b\\\\c, d;desc=x\",x=\"\\\\\"");

        using var response = await factory.CreateClient().SendAsync(request);
        var html = await response.Content.ReadAsStringAsync();

        var raw = Assert.Single(response.Headers.GetValues("Server-Timing"));
        Assert.Matches(HeaderShape(), raw);
        var timing = Parse(response);
        Assert.Equal(Meta(html, "baggage"), timing["baggage"]);
        Assert.Equal(2, timing.Count);
    }

    [Fact]
    public async Task On_UnsampledTrace_StillCarriesTheDecision()
    {
        await using var factory = TestHosts.Pages(new() { ["Tracing:TracesSampleRate"] = "0", ["Tracing:ServerTimingHeader"] = "true" });

        using var response = await factory.CreateClient().GetAsync("/plain");

        Assert.EndsWith("-0", Parse(response)["sentry-trace"], StringComparison.Ordinal);
    }

    private HttpRequestMessage Incoming(string path, string baggage)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("sentry-trace", $"{_traceId}-00f067aa0ba902b7-1");
        request.Headers.TryAddWithoutValidation("baggage", baggage);
        return request;
    }

    /// <summary>The metrics as a browser reads them: name → desc, quoted-strings unescaped.</summary>
    private static Dictionary<string, string> Parse(HttpResponseMessage response)
    {
        var value = string.Join(", ", response.Headers.GetValues("Server-Timing"));
        var metrics = new Dictionary<string, string>();
        foreach (Match m in Metric().Matches(value))
        {
            metrics[m.Groups["name"].Value] = Regex.Replace(m.Groups["desc"].Value, @"\\(.)", "$1");
        }

        return metrics;
    }

    private static string Meta(string html, string name)
    {
        var match = Regex.Match(html, $"<meta name=\"{name}\" content=\"(?<content>[^\"]*)\"/>");
        Assert.True(match.Success, html);
        return WebUtility.HtmlDecode(match.Groups["content"].Value);
    }

    [GeneratedRegex("(?<name>[!#$%&'*+.^_`|~0-9A-Za-z-]+);desc=\"(?<desc>(?:[^\"\\\\]|\\\\.)*)\"")]
    private static partial Regex Metric();

    [GeneratedRegex("^sentry-trace;desc=\"[0-9a-f]{32}-[0-9a-f]{16}(-[01])?\"(, baggage;desc=\"(?:[\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]|\\\\[\\x20-\\x7e])*\")?$")]
    private static partial Regex HeaderShape();
}
