using System.Net.Http.Json;
using System.Text.RegularExpressions;
using TraceMiddleware.IntegrationTests.Infrastructure;
using TraceMiddleware.Sampling;
using TraceMiddleware.Testing;

namespace TraceMiddleware.IntegrationTests;

/// <summary>
/// A continued trace passes the caller's DSC on frozen; its <c>sentry-sample_rand</c> only when it is a number
/// in [0, 1). In the place of any other goes the value this service decided with (derived from the caller's
/// decision and rate, or drawn), so the next service decides with the same number.
/// </summary>
public sealed class FrozenSampleRandTests
{
    private readonly string _traceId = System.Diagnostics.ActivityTraceId.CreateRandom().ToHexString();

    [Theory]
    [InlineData("NaN")]
    [InlineData("1e400")]
    [InlineData("0x1")]
    [InlineData("-0.1")]
    [InlineData("1")]
    public async Task InvalidSampleRand_IsReplacedInPlaceByTheOneThisServiceDerived(string invalid)
    {
        await using var echo = await EchoServer.StartAsync();
        await using var factory = TestHosts.Minimal(new() { ["Tracing:TracesSampleRate"] = "1" });

        var baggage = await CallAsync(factory, echo, $"sentry-trace_id={_traceId},sentry-sample_rand={invalid},sentry-sample_rate=0.25,sentry-sampled=true,vendor=a");

        var match = Regex.Match(baggage, $"^sentry-trace_id={_traceId},sentry-sample_rand=(?<rand>[^,]+),sentry-sample_rate=0.25,sentry-sampled=true,vendor=a$");
        Assert.True(match.Success, baggage);
        Assert.True(SampleRand.TryParse(match.Groups["rand"].Value, out var rand), match.Groups["rand"].Value);

        // Derived for a sampled caller at rate 0.25: below the rate, as the caller's decision says.
        Assert.InRange(rand, 0, 0.249999);
    }

    [Theory]
    [InlineData("0.0000001")]
    [InlineData("0")]
    [InlineData("0.999999999")]
    public async Task ValidSampleRand_IsPassedOnVerbatim(string valid)
    {
        await using var echo = await EchoServer.StartAsync();
        await using var factory = TestHosts.Minimal(new() { ["Tracing:TracesSampleRate"] = "1" });
        var incoming = $"sentry-trace_id={_traceId},sentry-sample_rand={valid},sentry-sampled=true";

        var baggage = await CallAsync(factory, echo, incoming);

        Assert.Equal(incoming, baggage);
    }

    private async Task<string> CallAsync(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<MinimalApp.Program> factory, EchoServer echo, string baggage)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/call?url={Uri.EscapeDataString(echo.BaseAddress + "callee")}");
        request.Headers.Add("sentry-trace", $"{_traceId}-b7ad6b7169203331-1");
        request.Headers.Add("baggage", baggage);

        var response = await factory.CreateClient().SendAsync(request);

        response.EnsureSuccessStatusCode();
        var seen = (await response.Content.ReadFromJsonAsync<Dictionary<string, string>>())!;
        return seen["baggage"];
    }
}
