using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using TraceMiddleware.Propagation;

namespace TraceMiddleware.Tests.Propagation;

/// <summary>What a request's W3C headers become: the processing model of W3C Trace Context Level 2.</summary>
public class IncomingTraceTests
{
    private const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string OtherTraceId = "0af7651916cd43dd8448eb211c80319c";
    private const string SentryTrace = TraceId + "-b7ad6b7169203331-1";

    // "If a tracestate header is received without an accompanying traceparent header, it is invalid and
    // MUST be discarded": a trace continued from sentry-trace alone passes no tracestate on.
    [Fact]
    public void SentryTraceWithoutTraceparent_DiscardsTheTracestate()
    {
        var incoming = Read(new() { ["sentry-trace"] = SentryTrace, ["tracestate"] = "congo=t61rcWkgMzE" });

        Assert.NotNull(incoming);
        Assert.Null(incoming.TraceState);
        Assert.False(incoming.RandomTraceId);
    }

    // A traceparent of the same trace accompanies the tracestate, and its random flag holds for the trace id.
    [Theory]
    [InlineData("01", false)]
    [InlineData("03", true)]
    public void SentryTraceWithATraceparentOfTheSameTrace_KeepsTheTracestateAndTheRandomFlag(string flags, bool random)
    {
        var incoming = Read(new()
        {
            ["sentry-trace"] = SentryTrace,
            ["traceparent"] = $"00-{TraceId}-00f067aa0ba902b7-{flags}",
            ["tracestate"] = "congo=t61rcWkgMzE",
        });

        Assert.Equal("congo=t61rcWkgMzE", incoming!.TraceState);
        Assert.Equal(random, incoming.RandomTraceId);
    }

    // A traceparent of another trace: the outgoing traceparent carries the sentry-trace's id, a restart from
    // W3C's point of view, and "Vendors SHOULD clean up tracestate collection on traceparent restart".
    [Fact]
    public void SentryTraceWithATraceparentOfAnotherTrace_DiscardsTheTracestateAndTheRandomFlag()
    {
        var incoming = Read(new()
        {
            ["sentry-trace"] = SentryTrace,
            ["traceparent"] = $"00-{OtherTraceId}-00f067aa0ba902b7-03",
            ["tracestate"] = "congo=t61rcWkgMzE",
        });

        Assert.Null(incoming!.TraceState);
        Assert.False(incoming.RandomTraceId);
    }

    // "If the vendor failed to parse traceparent, it MUST NOT attempt to parse tracestate."
    [Theory]
    [InlineData("00-" + TraceId + "-00f067aa0ba902b7-1")]
    [InlineData("ff-" + TraceId + "-00f067aa0ba902b7-03")]
    [InlineData("00-" + TraceId + "-00f067aa0ba902b7-03,00-" + TraceId + "-00f067aa0ba902b7-03")]
    public void SentryTraceWithABadTraceparent_DiscardsTheTracestate(string traceparent)
    {
        var headers = new HeaderDictionary
        {
            ["sentry-trace"] = SentryTrace,
            ["traceparent"] = new StringValues(traceparent.Split(',')),
            ["tracestate"] = "congo=t61rcWkgMzE",
        };

        var incoming = IncomingTrace.Read(new RequestTraceHeaders(headers), true, null, false, out _);

        Assert.Null(incoming!.TraceState);
        Assert.False(incoming.RandomTraceId);
    }

    [Theory]
    [InlineData("00", false)]
    [InlineData("02", true)]
    [InlineData("03", true)]
    public void Traceparent_CarriesItsRandomFlagAndItsTracestate(string flags, bool random)
    {
        var incoming = Read(new() { ["traceparent"] = $"00-{TraceId}-00f067aa0ba902b7-{flags}", ["tracestate"] = "rojo=00f067aa0ba902b7" });

        Assert.Equal(random, incoming!.RandomTraceId);
        Assert.Equal("rojo=00f067aa0ba902b7", incoming.TraceState);
    }

    [Fact]
    public void Tracestate_OverSeveralLines_IsCombinedValidatedAndBounded()
    {
        var headers = new HeaderDictionary
        {
            ["traceparent"] = $"00-{TraceId}-00f067aa0ba902b7-01",
            ["tracestate"] = new StringValues(["foo=1,bar@=2", " ", "long=" + new string('x', 250), "foo=1"]),
        };

        var incoming = IncomingTrace.Read(new RequestTraceHeaders(headers), true, null, false, out _);

        Assert.Equal("foo=1,bar@=2,long=" + new string('x', 250) + ",foo=1", incoming!.TraceState);
    }

    [Fact]
    public void Tracestate_LongerThan512_IsSentCutByWholeMembers()
    {
        var members = Enumerable.Range(0, 32).Select(i => $"vendor{i:00}=" + new string('x', 256)).ToArray();

        var incoming = Read(new() { ["traceparent"] = $"00-{TraceId}-00f067aa0ba902b7-01", ["tracestate"] = string.Join(",", members) });

        Assert.Equal(members[0], incoming!.TraceState);
    }

    private static IncomingTrace? Read(Dictionary<string, string> headers) =>
        IncomingTrace.Read(new CallbackTraceHeaders(headers.GetValueOrDefault), true, null, false, out _);
}
