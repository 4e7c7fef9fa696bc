using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using TraceMiddleware.IntegrationTests.Export.Sentry;
using TraceMiddleware.IntegrationTests.Infrastructure;
using TraceMiddleware.Testing;
using TraceMiddleware.Tracing;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.IntegrationTests;

/// <summary>
/// OpenTelemetry's SDK with its ASP.NET Core and HttpClient instrumentation beside <c>AddTracing()</c>, joined by
/// the one line <c>.AddTraceMiddleware()</c>: one server span per request in the incoming trace, one sampling
/// decision, the same span ids in the Sentry envelope and in OpenTelemetry's exporter, and no trace header to a
/// non-target. OpenTelemetry's listener is process-wide, so this class runs alone.
/// </summary>
[Collection(nameof(ProcessWideListenerCollection))]
public sealed class OpenTelemetryInstrumentationTests
{
    private const string CallerSpanId = "b7ad6b7169203331";

    private readonly string _traceId = ActivityTraceId.CreateRandom().ToHexString();
    private readonly List<Activity> _exported = [];

    [Fact]
    public async Task IncomingSentryTrace_IsContinuedByOneServerSpan_WhoseIdsSentryAndOpenTelemetryShare()
    {
        await using var sentry = await SentryReceiver.StartAsync();
        await using var target = await EchoServer.StartAsync();
        await using var app = App(sentry, new() { ["Tracing:TracesSampleRate"] = "0" });

        await SendAsync(app, $"/call?url={Uri.EscapeDataString(target.BaseAddress + "pay")}", sampled: true);
        var envelope = await sentry.WaitForTransactionAsync(_traceId);
        var exported = await ExportedAsync(spans => spans.Any(s => s.Kind == ActivityKind.Server));

        var server = Assert.Single(exported, s => s.Kind == ActivityKind.Server);
        Assert.Equal(CallerSpanId, server.ParentSpanId.ToHexString());
        Assert.Equal("Microsoft.AspNetCore", server.Source.Name);
        var context = envelope.Payload.GetProperty("contexts").GetProperty("trace");
        Assert.Equal(server.SpanId.ToHexString(), context.GetProperty("span_id").GetString());
        Assert.Equal(CallerSpanId, context.GetProperty("parent_span_id").GetString());
        Assert.Equal("GET /call", envelope.Transaction);
        Assert.Equal(Ids(exported), Ids(envelope));
        Assert.Equal($"{_traceId}-{ClientSpanIds(envelope).Single()}-1", target.Single("/pay")["sentry-trace"]);
    }

    [Fact]
    public async Task EveryCall_IsAnHttpClientSpan_ForTargetsAndNonTargets_FromFactoryAndPlainClients()
    {
        await using var sentry = await SentryReceiver.StartAsync();
        await using var target = await EchoServer.StartAsync();
        await using var other = await EchoServer.StartAsync();
        await using var app = App(sentry, new() { ["Tracing:TracesSampleRate"] = "1", ["Tracing:TracePropagationTargets:0"] = $"^{target.BaseAddress}" });

        await SendAsync(app, $"/call-each?url={Uri.EscapeDataString(target.BaseAddress + "t")}&url={Uri.EscapeDataString(other.LocalhostAddress + "o")}", sampled: true);
        var envelope = await sentry.WaitForTransactionAsync(_traceId);
        var exported = await ExportedAsync(spans => spans.Count(s => s.Kind == ActivityKind.Client) == 4 && spans.Any(s => s.Kind == ActivityKind.Server));

        var clients = envelope.Payload.GetProperty("spans").EnumerateArray().Where(s => s.GetProperty("op").GetString() == "http.client").ToList();
        Assert.Equal(4, clients.Count);
        Assert.Equal(2, clients.Count(s => s.GetProperty("description").GetString() == $"GET {target.BaseAddress}t"));
        Assert.Equal(2, clients.Count(s => s.GetProperty("description").GetString() == $"GET {other.LocalhostAddress}o"));
        Assert.Equal(Ids(exported), Ids(envelope));
    }

    [Fact]
    public async Task NonTarget_ReceivesNoneOfTheSixHeaders_WhileTheTargetGetsOnlyOurs()
    {
        await using var sentry = await SentryReceiver.StartAsync();
        await using var target = await EchoServer.StartAsync();
        await using var other = await EchoServer.StartAsync();
        await using var app = App(sentry, new() { ["Tracing:TracesSampleRate"] = "1", ["Tracing:TracePropagationTargets:0"] = $"^{target.BaseAddress}" });

        await SendAsync(app, $"/call-each?url={Uri.EscapeDataString(target.BaseAddress + "t")}&url={Uri.EscapeDataString(other.LocalhostAddress + "o")}", sampled: true);

        Assert.Equal(2, other.Received.Count);
        Assert.All(other.Received, r => Assert.Empty(r.TraceHeadersPresent));
        Assert.Equal(2, target.Received.Count);
        Assert.All(target.Received, r => Assert.Equal(["sentry-trace", "baggage"], r.TraceHeadersPresent));
        Assert.All(target.Received, r => Assert.StartsWith($"{_traceId}-", r["sentry-trace"], StringComparison.Ordinal));
        Assert.All(target.Received, r => Assert.Contains("vendor=acme", r["baggage"], StringComparison.Ordinal));
    }

    [Fact]
    public async Task RateZero_ForANewTrace_ExportsNothingAnywhere_AndTellsTheCalleeUnsampled()
    {
        await using var sentry = await SentryReceiver.StartAsync();
        await using var target = await EchoServer.StartAsync();
        var app = App(sentry, new() { ["Tracing:TracesSampleRate"] = "0" });

        (await app.CreateClient().GetAsync($"/call-each?url={Uri.EscapeDataString(target.BaseAddress + "t")}")).EnsureSuccessStatusCode();
        var sentryTrace = target.Received.First()["sentry-trace"]!;
        var traceId = sentryTrace[..32];
        await SpanCollector.WaitForTraceAsync(traceId, s => s.Any(a => a.Kind == ActivityKind.Server && a.Source.Name == "Microsoft.AspNetCore" && a.GetTagItem(SpanTags.Op) is null && !a.Recorded), "the unrecorded server span");
        await app.DisposeAsync();

        Assert.EndsWith("-0", sentryTrace, StringComparison.Ordinal);
        Assert.All(target.Received, r => Assert.EndsWith("-0", r["sentry-trace"], StringComparison.Ordinal));
        Assert.Empty(sentry.Received);
        lock (_exported)
        {
            Assert.DoesNotContain(_exported, a => a.TraceId.ToHexString() == traceId);
        }
    }

    /// <summary>
    /// The test app with OpenTelemetry as a user adds it. The echo servers are hosts in this process too; in
    /// production they would be other processes, so OpenTelemetry's request filter leaves their requests out here.
    /// </summary>
    private WebApplicationFactory<MinimalApp.Program> App(SentryReceiver sentry, Dictionary<string, string?> settings)
    {
        settings["Tracing:Dsn"] = sentry.Dsn.Original;
        return TestHosts.Minimal(settings).WithWebHostBuilder(builder => builder.ConfigureServices(services => services
            .AddOpenTelemetry()
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(o => o.Filter = context => context.RequestServices.GetService<TracingRuntime>() is not null)
                .AddHttpClientInstrumentation()
                .AddTraceMiddleware()
                .AddInMemoryExporter(_exported))));
    }

    private async Task SendAsync(WebApplicationFactory<MinimalApp.Program> app, string path, bool sampled)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("sentry-trace", $"{_traceId}-{CallerSpanId}-{(sampled ? 1 : 0)}");
        request.Headers.Add("baggage", $"sentry-trace_id={_traceId},sentry-public_key=caller,sentry-sample_rand=0.5,vendor=acme");

        // OpenTelemetry's HttpClient instrumentation would add its own traceparent to a caller of its own; ours does not.
        request.Headers.Add("traceparent", $"00-{ActivityTraceId.CreateRandom().ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        (await app.CreateClient().SendAsync(request)).EnsureSuccessStatusCode();
    }

    private async Task<List<Activity>> ExportedAsync(Func<List<Activity>, bool> done)
    {
        for (var i = 0; i < 300; i++)
        {
            lock (_exported)
            {
                var spans = _exported.Where(a => a.TraceId.ToHexString() == _traceId).ToList();
                if (done(spans))
                {
                    return spans;
                }
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"OpenTelemetry never exported the expected spans of {_traceId}.");
    }

    private static IEnumerable<string> ClientSpanIds(ReceivedEnvelope envelope) =>
        envelope.Payload.GetProperty("spans").EnumerateArray().Where(s => s.GetProperty("op").GetString() == "http.client").Select(s => s.GetProperty("span_id").GetString()!);

    private static List<string> Ids(IEnumerable<Activity> spans) =>
        spans.Select(s => $"{s.SpanId}<-{s.ParentSpanId}").Order(StringComparer.Ordinal).ToList();

    private static List<string> Ids(ReceivedEnvelope envelope)
    {
        var context = envelope.Payload.GetProperty("contexts").GetProperty("trace");
        return envelope.Payload.GetProperty("spans").EnumerateArray()
            .Select(s => $"{Text(s, "span_id")}<-{Text(s, "parent_span_id")}")
            .Append($"{Text(context, "span_id")}<-{Text(context, "parent_span_id")}")
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    private static string? Text(JsonElement element, string name) => element.GetProperty(name).GetString();
}
