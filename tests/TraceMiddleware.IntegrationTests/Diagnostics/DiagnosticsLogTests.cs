using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;
using TraceMiddleware.IntegrationTests.Infrastructure;
using TraceMiddleware.Testing;

namespace TraceMiddleware.IntegrationTests.Diagnostics;

/// <summary>What the logs say at start-up and per request: the answers to "headers not attached" and "trace not continued".</summary>
public sealed class DiagnosticsLogTests
{
    private readonly string _traceId = System.Diagnostics.ActivityTraceId.CreateRandom().ToHexString();

    [Fact]
    public async Task StartUp_OneInformationLine_SaysSamplingExportersTargetsTraceparentAndTrust()
    {
        var logs = new CapturingLoggerProvider();
        await using var host = TestHosts.Minimal(new()
        {
            ["Tracing:Dsn"] = "https://publickey@o1.ingest.sentry.io/42",
            ["Tracing:TracesSampleRate"] = "0.2",
            ["Tracing:TracePropagationTargets:0"] = "localhost",
            ["Tracing:TracePropagationTargets:1"] = @"^https://api\.example\.com",
            ["Tracing:PropagateTraceparent"] = "true",
            ["Tracing:Release"] = "shop@1.4.0",
        });
        await using var factory = Capture(host, logs);

        (await factory.CreateClient().GetAsync("/api/orders/1")).Dispose();
        (await factory.CreateClient().GetAsync("/api/orders/2")).Dispose();

        var line = Assert.Single(logs.WithEventId(4101));
        Assert.Equal("TraceMiddleware", line.Category);
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.Equal(
            "Tracing started. Sampling: TracesSampleRate 0.2 for new traces; a caller's decision is kept. "
            + "Spans: Sentry DSN set (o1.ingest.sentry.io, project 42). "
            + "Trace headers go to: contains \"localhost\", matches ^https://api\\.example\\.com. "
            + "traceparent: sent on, continued from incoming requests on. "
            + "Incoming trace headers: honoured from every caller. Server-Timing header: off. "
            + "Environment production, release shop@1.4.0.",
            line.Message);
    }

    [Fact]
    public async Task StartUp_PropagationOnly_DefaultTargets_AndATrustPredicate_AreSaidInWords()
    {
        var logs = new CapturingLoggerProvider();
        await using var host = TestHosts.Minimal(configure: o => o.TrustIncomingTraceHeaders = _ => true);
        await using var factory = Capture(host, logs);

        (await factory.CreateClient().GetAsync("/api/orders/1")).Dispose();

        var message = Assert.Single(logs.WithEventId(4101)).Message;
        Assert.Contains("Sampling: off, propagation only (no TracesSampleRate or TracesSampler): trace headers flow, no span is recorded.", message, StringComparison.Ordinal);
        Assert.Contains("Spans: no DSN set and no exporter: nothing is sent.", message, StringComparison.Ordinal);
        Assert.Contains("Trace headers go to: localhost (any port), 127.0.0.1 (any port), [::1] (any port) (the default: loopback only).", message, StringComparison.Ordinal);
        Assert.Contains("traceparent: sent off, continued from incoming requests on.", message, StringComparison.Ordinal);
        Assert.Contains("Incoming trace headers: honoured only when TrustIncomingTraceHeaders says so.", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartUp_Sampler_IsNamed()
    {
        var logs = new CapturingLoggerProvider();
        await using var host = TestHosts.Minimal(new() { ["Tracing:TracesSampleRate"] = "0.5" }, o => o.TracesSampler = _ => 1);
        await using var factory = Capture(host, logs);

        (await factory.CreateClient().GetAsync("/api/orders/1")).Dispose();

        Assert.Contains("Sampling: TracesSampler (code), which wins over the caller's decision and TracesSampleRate 0.5.", Assert.Single(logs.WithEventId(4101)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-0")]
    [InlineData("-0.0")]
    public async Task StartUp_NegativeZeroRate_IsSaidAsZero(string rate)
    {
        var logs = new CapturingLoggerProvider();
        await using var host = TestHosts.Minimal(new() { ["Tracing:TracesSampleRate"] = rate });
        await using var factory = Capture(host, logs);

        (await factory.CreateClient().GetAsync("/api/orders/1")).Dispose();

        Assert.Contains("Sampling: TracesSampleRate 0 for new traces;", Assert.Single(logs.WithEventId(4101)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithheldOutgoingRequest_DebugLineNamesTheUrlAndTheTargets()
    {
        var logs = new CapturingLoggerProvider();
        await using var echo = await EchoServer.StartAsync();
        await using var host = TestHosts.Minimal(new() { ["Tracing:TracePropagationTargets:0"] = "localhost" });
        await using var factory = Capture(host, logs);
        var url = echo.BaseAddress + "orders";

        (await factory.CreateClient().GetAsync("/call?url=" + Uri.EscapeDataString(url))).Dispose();

        var line = Assert.Single(logs.WithEventId(1003), e => e.Message.Contains(url, StringComparison.Ordinal));
        Assert.Equal(LogLevel.Debug, line.Level);
        Assert.Equal(
            $"Outgoing GET {url}: no trace header sent (sentry-trace, baggage, traceparent, tracestate withheld); no propagation target matches. Targets: contains \"localhost\".",
            line.Message);
    }

    [Fact]
    public async Task PropagatedOutgoingRequest_DebugLineNamesTheTargetThatMatched()
    {
        var logs = new CapturingLoggerProvider();
        await using var echo = await EchoServer.StartAsync();
        await using var host = TestHosts.Minimal();
        await using var factory = Capture(host, logs);
        var url = echo.BaseAddress + "orders";

        (await factory.CreateClient().GetAsync("/call?url=" + Uri.EscapeDataString(url))).Dispose();

        var line = Assert.Single(logs.WithEventId(1002), e => e.Message.Contains(url, StringComparison.Ordinal));
        Assert.EndsWith("target 127.0.0.1 (any port) matched.", line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ContinuedRequest_DebugLineSaysFromWhichHeader_AndTheCallersDecision()
    {
        var logs = new CapturingLoggerProvider();
        await using var host = TestHosts.Minimal(new() { ["Tracing:TracesSampleRate"] = "0" });
        await using var factory = Capture(host, logs);

        await SendAsync(factory, "sentry-trace", $"{_traceId}-00f067aa0ba902b7-1");

        Assert.Equal(
            $"Incoming GET /api/orders/1: trace continued from sentry-trace; sampled (the caller's decision); trace {_traceId}.",
            Line(logs).Message);
    }

    [Fact]
    public async Task ContinuedFromTraceparent_InAPropagationOnlyService_SaysItIsNotRecordedHere()
    {
        var logs = new CapturingLoggerProvider();
        await using var host = TestHosts.Minimal();
        await using var factory = Capture(host, logs);

        await SendAsync(factory, "traceparent", $"00-{_traceId}-00f067aa0ba902b7-01");

        Assert.Equal(
            $"Incoming GET /api/orders/1: trace continued from traceparent (no sentry-trace); sampled (the caller's decision), but not recorded here: propagation only; trace {_traceId}.",
            Line(logs).Message);
    }

    [Fact]
    public async Task NewTrace_DebugLineSaysWhyItWasSampled()
    {
        var logs = new CapturingLoggerProvider();
        await using var host = TestHosts.Minimal(new() { ["Tracing:TracesSampleRate"] = "1" });
        await using var factory = Capture(host, logs);

        (await factory.CreateClient().GetAsync("/api/orders/1")).Dispose();

        Assert.Matches(
            @"^Incoming GET /api/orders/1: new trace: no sentry-trace or traceparent header; sampled \(sample_rand 0(\.\d{1,6})? < TracesSampleRate 1\); trace [0-9a-f]{32}\.$",
            Line(logs).Message);
    }

    [Theory]
    [InlineData("sentry-trace", "not-a-trace", "new trace: sentry-trace is malformed")]
    [InlineData("traceparent", "00-zz-00f067aa0ba902b7-01", "new trace: traceparent is malformed")]
    public async Task MalformedHeader_DebugLineSaysWhich(string header, string value, string expected)
    {
        var logs = new CapturingLoggerProvider();
        await using var host = TestHosts.Minimal();
        await using var factory = Capture(host, logs);

        await SendAsync(factory, header, value);

        Assert.StartsWith($"Incoming GET /api/orders/1: {expected}; sampling deferred (", Line(logs).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UntrustedCaller_DebugLineSaysTheHeadersWereIgnored()
    {
        var logs = new CapturingLoggerProvider();
        await using var host = TestHosts.Minimal(configure: o => o.TrustIncomingTraceHeaders = _ => false);
        await using var factory = Capture(host, logs);

        await SendAsync(factory, "sentry-trace", $"{_traceId}-00f067aa0ba902b7-1");

        var message = Line(logs).Message;
        Assert.Contains("new trace: TrustIncomingTraceHeaders does not trust this caller, its trace headers were ignored", message, StringComparison.Ordinal);
        Assert.DoesNotContain(_traceId, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OrgMismatch_DebugLineSaysSo()
    {
        var logs = new CapturingLoggerProvider();
        await using var host = TestHosts.Minimal(new() { ["Tracing:Dsn"] = "https://publickey@o1.ingest.sentry.io/42" });
        await using var factory = Capture(host, logs);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders/1");
        request.Headers.Add("sentry-trace", $"{_traceId}-00f067aa0ba902b7-1");
        request.Headers.Add("baggage", $"sentry-trace_id={_traceId},sentry-org_id=2");

        (await factory.CreateClient().SendAsync(request)).Dispose();

        Assert.Contains("new trace: the caller's organization (baggage sentry-org_id) does not match this service's", Line(logs).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnsampledMethod_DebugLineNamesTheOption()
    {
        var logs = new CapturingLoggerProvider();
        await using var host = TestHosts.Minimal(new() { ["Tracing:TracesSampleRate"] = "1" });
        await using var factory = Capture(host, logs);

        (await factory.CreateClient().SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/orders/1"))).Dispose();

        Assert.Contains("; not sampled (HEAD is one of UnsampledHttpMethods); ", Line(logs).Message, StringComparison.Ordinal);
    }

    private static WebApplicationFactory<T> Capture<T>(WebApplicationFactory<T> factory, CapturingLoggerProvider logs)
        where T : class =>
        factory.WithWebHostBuilder(b => b.ConfigureLogging(l => l.AddProvider(logs).AddFilter("TraceMiddleware", LogLevel.Debug)));

    private static CapturedLog Line(CapturingLoggerProvider logs) => Assert.Single(logs.WithEventId(1001));

    private static async Task SendAsync<T>(WebApplicationFactory<T> factory, string header, string value)
        where T : class
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders/1");
        request.Headers.TryAddWithoutValidation(header, value);
        (await factory.CreateClient().SendAsync(request)).Dispose();
    }
}
