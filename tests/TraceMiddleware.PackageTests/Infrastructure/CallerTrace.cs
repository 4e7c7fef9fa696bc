using System.Diagnostics;
using System.Text.RegularExpressions;

namespace TraceMiddleware.PackageTests.Infrastructure;

/// <summary>The trace of a caller that sampled it: the sentry-trace and baggage a request to a consumer app carries.</summary>
public sealed partial record CallerTrace(string TraceId, string SpanId)
{
    public const string PublicKey = "caller";

    public static CallerTrace Create() => new(ActivityTraceId.CreateRandom().ToHexString(), ActivitySpanId.CreateRandom().ToHexString());

    public string SentryTrace => $"{TraceId}-{SpanId}-1";

    public string Baggage => $"sentry-trace_id={TraceId},sentry-public_key={PublicKey},sentry-sample_rate=1,sentry-sampled=true,sentry-sample_rand=0.25";

    public HttpRequestMessage Get(Uri address)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, address);
        request.Headers.Add("sentry-trace", SentryTrace);
        request.Headers.Add("baggage", Baggage);
        return request;
    }

    /// <summary>
    /// Asserts that <paramref name="sentryTrace"/> (as a server hands it on) continues this trace: same trace id, a span
    /// of its own, sampled. Returns that span's id.
    /// </summary>
    public string AssertContinuedBy(string? sentryTrace, string where)
    {
        Assert.True(sentryTrace is not null, $"No sentry-trace in {where}.");
        var match = SentryTraceValue().Match(sentryTrace);
        Assert.True(match.Success, $"'{sentryTrace}' is not a sentry-trace value.");
        Assert.Equal(TraceId, match.Groups["trace"].Value);
        Assert.NotEqual(SpanId, match.Groups["span"].Value);
        Assert.Equal("1", match.Groups["sampled"].Value);
        return match.Groups["span"].Value;
    }

    /// <summary>Asserts that <paramref name="baggage"/> is this caller's Sentry baggage, handed on.</summary>
    public void AssertBaggageHandedOn(string? baggage, string where)
    {
        Assert.True(baggage is not null, $"No baggage in {where}.");
        var members = baggage.Split(',', StringSplitOptions.TrimEntries);
        Assert.Contains($"sentry-trace_id={TraceId}", members);
        Assert.Contains($"sentry-public_key={PublicKey}", members);
    }

    [GeneratedRegex("^(?<trace>[0-9a-f]{32})-(?<span>[0-9a-f]{16})-(?<sampled>[01])$")]
    private static partial Regex SentryTraceValue();
}
