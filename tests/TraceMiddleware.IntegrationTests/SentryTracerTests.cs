using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using TraceMiddleware.IntegrationTests.Infrastructure;
using TraceMiddleware.Testing;
using TraceMiddleware.Tracing;

namespace TraceMiddleware.IntegrationTests;

/// <summary>The manual API, as a queue consumer or a job uses it.</summary>
public sealed class SentryTracerTests
{
    private readonly string _traceId = ActivityTraceId.CreateRandom().ToHexString();

    [Fact]
    public async Task ContinueTrace_FromHeaderStrings_StartsARootInThatTrace()
    {
        await using var factory = TestHosts.Minimal(new() { ["Tracing:TracesSampleRate"] = "0" });
        var tracer = factory.Services.GetRequiredService<SentryTracer>();

        using (var root = tracer.ContinueTrace($"{_traceId}-b7ad6b7169203331-1", $"sentry-trace_id={_traceId},sentry-release=jobs%401,vendor=x", "process order", "queue.process"))
        {
            Assert.NotNull(root);
            Assert.Same(root, Activity.Current);
            Assert.Equal(_traceId, root.TraceId.ToHexString());
            Assert.Equal("b7ad6b7169203331", root.ParentSpanId.ToHexString());
            Assert.True(root.Recorded);

            var headers = tracer.GetTraceHeaders();

            Assert.Equal($"{_traceId}-{root.SpanId.ToHexString()}-1", headers.SentryTrace);
            Assert.StartsWith($"sentry-trace_id={_traceId},sentry-release=jobs%401,sentry-sample_rand=", headers.Baggage, StringComparison.Ordinal);
            Assert.EndsWith(",vendor=x", headers.Baggage, StringComparison.Ordinal);
        }

        var span = Assert.Single(SpanCollector.ForTrace(_traceId));
        Assert.Equal("queue.process", span.GetTagItem(SpanTags.Op));
        Assert.Equal("manual", span.GetTagItem(SpanTags.Origin));
    }

    [Fact]
    public async Task ContinueTrace_FromAnyCarrier_ReadsTraceparent()
    {
        await using var factory = TestHosts.Minimal(new() { ["Tracing:TracesSampleRate"] = "1", ["Tracing:PropagateTraceparent"] = "true" });
        var tracer = factory.Services.GetRequiredService<SentryTracer>();
        var environment = new Dictionary<string, string> { ["TRACEPARENT"] = $"00-{_traceId}-00f067aa0ba902b7-01", ["TRACESTATE"] = "congo=t61rcWkgMzE" };

        using var root = tracer.ContinueTrace(name => environment.GetValueOrDefault(name.ToUpperInvariant()), "nightly export");
        var headers = tracer.GetTraceHeaders();

        Assert.Equal(_traceId, root!.TraceId.ToHexString());
        Assert.Equal($"00-{_traceId}-{root.SpanId.ToHexString()}-01", headers.TraceParent);
        Assert.Equal("congo=t61rcWkgMzE", headers.TraceState);
    }

    [Theory]
    [InlineData("sentry-trace", "sentry-trace traceparent baggage")]
    [InlineData("traceparent", "sentry-trace traceparent baggage tracestate")]
    [InlineData("none", "sentry-trace traceparent")]
    public async Task ContinueTrace_AsksOnlyForTheHeadersItNeeds(string carried, string expectedAsked)
    {
        // traceparent always (beside sentry-trace it vouches for tracestate and the random flag); baggage only
        // for a trace to continue; tracestate only with a valid traceparent of that trace.
        await using var factory = TestHosts.Minimal(new() { ["Tracing:TracesSampleRate"] = "1" });
        var tracer = factory.Services.GetRequiredService<SentryTracer>();
        var carrier = carried switch
        {
            "sentry-trace" => new Dictionary<string, string> { ["sentry-trace"] = $"{_traceId}-b7ad6b7169203331-1" },
            "traceparent" => new Dictionary<string, string> { ["traceparent"] = $"00-{_traceId}-00f067aa0ba902b7-01" },
            _ => [],
        };
        var asked = new List<string>();

        using var root = tracer.ContinueTrace(name => { asked.Add(name); return carrier.GetValueOrDefault(name); }, "job");

        Assert.Equal(expectedAsked, string.Join(' ', asked));
        Assert.Equal(carried != "none", root!.TraceId.ToHexString() == _traceId);
    }

    [Fact]
    public async Task StartSpan_IsAChildOfTheCurrentSpan_AndStartTransactionStartsANewTrace()
    {
        await using var factory = TestHosts.Minimal(new() { ["Tracing:TracesSampleRate"] = "1" });
        var tracer = factory.Services.GetRequiredService<SentryTracer>();

        using var root = tracer.StartTransaction("import", "task");
        using var child = tracer.StartSpan("SELECT 1", "db.query");

        Assert.Equal("0000000000000000", root!.ParentSpanId.ToHexString());
        Assert.Equal(root.SpanId, child!.ParentSpanId);
        Assert.Equal(root.TraceId, child.TraceId);
        Assert.Equal("db.query", child.GetTagItem(SpanTags.Op));
    }

    [Fact]
    public async Task GetTraceHeaders_WithoutATrace_IsEmpty()
    {
        await using var factory = TestHosts.Minimal();
        var tracer = factory.Services.GetRequiredService<SentryTracer>();

        var headers = tracer.GetTraceHeaders();

        Assert.True(headers.IsEmpty);
        Assert.Null(headers.Baggage);
    }

    [Fact]
    public async Task MalformedHeaders_StartANewTrace()
    {
        await using var factory = TestHosts.Minimal(new() { ["Tracing:TracesSampleRate"] = "1" });
        var tracer = factory.Services.GetRequiredService<SentryTracer>();

        using var root = tracer.ContinueTrace("garbage", "sentry-sampled=false", "job");

        Assert.NotNull(root);
        Assert.Equal("0000000000000000", root.ParentSpanId.ToHexString());
        Assert.True(root.Recorded);
    }
}
