using TraceMiddleware.AspNetCore;
using TraceMiddleware.Testing;
using TraceMiddleware.Tracing;

namespace TraceMiddleware.Tests.AspNetCore;

public class ServerTimingHeaderTests
{
    private const string SentryTrace = "771a43a4192642f0b136d5159a501700-b7ad6b7169203331-1";
    private const string Baggage = "sentry-environment=dev,sentry-release=shop%401.2.3,sentry-public_key=abc123,sentry-trace_id=771a43a4192642f0b136d5159a501700,sentry-sampled=true,sentry-sample_rand=0.3276234201731898,sentry-sample_rate=1";

    [Fact]
    public void Format_BothValues_AsQuotedDescriptions()
    {
        var value = ServerTimingHeader.Format(new TraceHeaders(SentryTrace, Baggage, null, null));

        Assert.Equal($"sentry-trace;desc=\"{SentryTrace}\", baggage;desc=\"{Baggage}\"", value);
    }

    [Fact]
    public void Format_NoBaggage_OnlySentryTrace()
    {
        Assert.Equal($"sentry-trace;desc=\"{SentryTrace}\"", ServerTimingHeader.Format(new TraceHeaders(SentryTrace, null, null, null)));
        Assert.Equal($"sentry-trace;desc=\"{SentryTrace}\"", ServerTimingHeader.Format(new TraceHeaders(SentryTrace, string.Empty, null, null)));
    }

    [Fact]
    public void Format_NoTrace_IsNull()
    {
        Assert.Null(ServerTimingHeader.Format(default));
    }

    [Fact]
    public void Format_W3CHeaders_AreNotIncluded()
    {
        var value = ServerTimingHeader.Format(new TraceHeaders(SentryTrace, Baggage, "00-771a43a4192642f0b136d5159a501700-b7ad6b7169203331-01", "v=1"));

        Assert.DoesNotContain("traceparent", value, StringComparison.Ordinal);
        Assert.DoesNotContain("v=1", value, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a\"b", "\"a\\\"b\"")]
    [InlineData("a\\b", "\"a\\\\b\"")]
    [InlineData("\\\"", "\"\\\\\\\"\"")]
    [InlineData("a, b;desc=c", "\"a, b;desc=c\"")]
    public void Format_QuoteAndBackslash_AreEscaped(string baggage, string quoted)
    {
        var value = ServerTimingHeader.Format(new TraceHeaders(SentryTrace, baggage, null, null));

        Assert.Equal($"sentry-trace;desc=\"{SentryTrace}\", baggage;desc={quoted}", value);
        Assert.Equal(baggage, ServerTimingReader.Read(value!)[1].Description);
    }

    [Theory]
    [InlineData("a\rb")]
    [InlineData("a\nb")]
    [InlineData("a\tb")]
    [InlineData("a\u0000b")]
    [InlineData("a\u007fb")]
    [InlineData("caf\u00e9")]
    [InlineData("\u2028")]
    public void Format_BaggageAQuotedStringCannotCarry_IsLeftOut(string baggage)
    {
        var value = ServerTimingHeader.Format(new TraceHeaders(SentryTrace, baggage, null, null));

        Assert.Equal($"sentry-trace;desc=\"{SentryTrace}\"", value);
    }

    [Fact]
    public void Format_SentryTraceAQuotedStringCannotCarry_LeavesTheHeaderOut()
    {
        Assert.Null(ServerTimingHeader.Format(new TraceHeaders("a\nb", Baggage, null, null)));
    }

    [Fact]
    public void Format_ReadAsABrowserDoes_GivesBackBothValues()
    {
        var metrics = ServerTimingReader.Read(ServerTimingHeader.Format(new TraceHeaders(SentryTrace, Baggage, null, null))!);

        Assert.Equal(new List<(string, string?)> { ("sentry-trace", SentryTrace), ("baggage", Baggage) }, metrics);
    }

    [Fact]
    public void Format_RandomValues_NeverThrow_AreHeaderSafe_AndReadBackUnchanged()
    {
        var random = new Random(20_250_810);
        const string alphabet = "0123456789abcdef-=,;%\"\\ \t\r\n\u0000\u007fé\u2028sentry_";
        for (var i = 0; i < 20_000; i++)
        {
            var trace = random.Next(4) == 0 ? FuzzText.Random(random, alphabet, 30) : SentryTrace;
            var baggage = random.Next(5) == 0 ? null : FuzzText.Random(random, alphabet, 30);

            var value = ServerTimingHeader.Format(new TraceHeaders(trace, baggage, null, null));

            if (value is null)
            {
                Assert.Contains(trace, c => c is < ' ' or > '~');
                continue;
            }

            Assert.DoesNotContain(value, c => c is < ' ' or > '~');
            var metrics = ServerTimingReader.Read(value);
            Assert.Equal(("sentry-trace", trace), metrics[0]);
            if (baggage is { Length: > 0 } && !baggage.Any(c => c is < ' ' or > '~'))
            {
                Assert.Equal(2, metrics.Count);
                Assert.Equal(("baggage", baggage), metrics[1]);
            }
            else
            {
                Assert.Single(metrics);
            }
        }
    }
}
