using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TraceMiddleware.Export.InMemory;
using TraceMiddleware.Http;
using TraceMiddleware.IntegrationTests.Infrastructure;
using TraceMiddleware.Testing;

namespace TraceMiddleware.IntegrationTests.Reliability;

/// <summary>
/// What a process may set for itself (the default activity id format, the process-wide header propagator) never
/// makes tracing fail a request, emit a zero id, or send a header where it should not. These settings are
/// process-wide, so this class runs alone and puts each one back.
/// </summary>
[Collection(nameof(ProcessWideListenerCollection))]
public sealed partial class ProcessWideSettingsTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task HierarchicalIds_ForTheProcess_NeverFailARequest_NorEmitAZeroId(bool force)
    {
        await using var echo = await EchoServer.StartAsync();
        var (format, forced) = (Activity.DefaultIdFormat, Activity.ForceDefaultIdFormat);
        Activity.DefaultIdFormat = ActivityIdFormat.Hierarchical;
        Activity.ForceDefaultIdFormat = force;
        try
        {
            await using var app = TestHosts.Minimal(new() { ["Tracing:TracesSampleRate"] = "1", ["Tracing:ServerTimingHeader"] = "true" })
                .WithWebHostBuilder(b => b.ConfigureServices(s => s.AddInMemoryTraceExporter()));
            var client = app.CreateClient();

            // Server-Timing and the meta tags are written for a new trace (the request's own activity is hierarchical).
            using var traceOut = await client.GetAsync("/trace-out");
            traceOut.EnsureSuccessStatusCode();
            var timing = Assert.Single(traceOut.Headers.GetValues("Server-Timing"));
            var written = await traceOut.Content.ReadFromJsonAsync<MinimalApp.TraceOut>();
            Assert.Matches(W3CSentryTrace(), written!.SentryTrace!);
            Assert.Contains(written.SentryTrace!, written.Meta, StringComparison.Ordinal);
            Assert.Contains(written.SentryTrace!, timing, StringComparison.Ordinal);

            // Calls to a target, from a plain and a factory client, carry W3C ids.
            foreach (var plain in new[] { true, false })
            {
                (await client.GetAsync($"/call?plain={plain}&url={Uri.EscapeDataString(echo.BaseAddress + "x")}")).EnsureSuccessStatusCode();
            }

            Assert.Equal(2, echo.Received.Count);
            Assert.All(echo.Received, r => Assert.Matches(W3CSentryTrace(), r["sentry-trace"]!));

            // What Sentry would get: W3C ids, none of them zero.
            var exporter = app.Services.GetRequiredService<InMemoryTraceExporter>();
            var transaction = await exporter.WaitForTransactionAsync(t => t.Root.DisplayName == "GET /call", SpanCollector.Wait);
            Assert.NotEqual(default, transaction.Root.TraceId);
            Assert.Equal(ActivityIdFormat.W3C, transaction.Root.IdFormat);
            Assert.All(transaction.Spans, s => Assert.Equal(ActivityIdFormat.W3C, s.IdFormat));
        }
        finally
        {
            (Activity.DefaultIdFormat, Activity.ForceDefaultIdFormat) = (format, forced);
        }
    }

    [Fact]
    public async Task PropagatorReplacedAfterAddTracing_IsWrappedAgain_AndNoClientLeaks()
    {
        await using var target = await EchoServer.StartAsync();
        await using var other = await EchoServer.StartAsync();
        var logs = new CapturingLoggerProvider();
        try
        {
            await using var app = TestHosts.Minimal(new() { ["Tracing:TracePropagationTargets:0"] = $"^{target.BaseAddress}" })
                .WithWebHostBuilder(b => b
                    .ConfigureLogging(l => l.AddProvider(logs))
                    .ConfigureServices(s =>
                    {
                        // The app sets its own process-wide propagator after AddTracing() ran.
                        s.AddTracing();
                        DistributedContextPropagator.Current = DistributedContextPropagator.CreateDefaultPropagator();
                    }));
            var client = app.CreateClient();

            foreach (var plain in new[] { false, true })
            {
                var url = target.BaseAddress + "redirect?to=" + Uri.EscapeDataString(other.LocalhostAddress + "landed");
                using var request = new HttpRequestMessage(HttpMethod.Get, $"/call?plain={plain}&url={Uri.EscapeDataString(url)}");
                request.Headers.Add("sentry-trace", $"{ActivityTraceId.CreateRandom().ToHexString()}-b7ad6b7169203331-1");
                (await client.SendAsync(request)).EnsureSuccessStatusCode();
            }

            Assert.IsType<TracePropagator>(DistributedContextPropagator.Current);
            Assert.Contains("DistributedContextPropagator.Current was replaced after AddTracing()", Assert.Single(logs.WithEventId(1006)).Message, StringComparison.Ordinal);
            Assert.All(other.Received, r => Assert.Empty(r.TraceHeadersPresent));
            Assert.All(target.Received, r => Assert.Contains("sentry-trace", r.TraceHeadersPresent));
        }
        finally
        {
            TracePropagator.Install();
        }
    }

    [Fact]
    public async Task ClientWithAnotherPropagator_IsNamedInAWarning_WithTheFix()
    {
        await using var echo = await EchoServer.StartAsync();
        var logs = new CapturingLoggerProvider();
        await using var app = TestHosts.Minimal(new() { ["Tracing:TracesSampleRate"] = "1" })
            .WithWebHostBuilder(b => b.ConfigureLogging(l => l.AddProvider(logs)));
        var client = app.CreateClient();

        (await client.GetAsync($"/call?plain=true&url={Uri.EscapeDataString(echo.BaseAddress + "ours")}")).EnsureSuccessStatusCode();
        Assert.Empty(logs.WithEventId(1008));

        (await client.GetAsync($"/call-early?url={Uri.EscapeDataString(echo.BaseAddress + "early")}")).EnsureSuccessStatusCode();
        (await client.GetAsync($"/call-early?url={Uri.EscapeDataString(echo.BaseAddress + "early-again")}")).EnsureSuccessStatusCode();
        await SpanCollector.WaitForTraceAsync(echo.Single("/early-again")["traceparent"]![3..35], s => s.Count(a => a.Kind == ActivityKind.Server) == 1, "the second request finished");
        await Eventually.TrueAsync(() => logs.Count(1008) > 0, "the warning about a client with another propagator");

        var warning = Assert.Single(logs.WithEventId(1008));
        Assert.Contains("1 outgoing requests of GET /call-early", warning.Message, StringComparison.Ordinal);
        Assert.Contains("created before AddTracing()", warning.Message, StringComparison.Ordinal);
    }

    [GeneratedRegex("^(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-1$")]
    private static partial Regex W3CSentryTrace();
}
