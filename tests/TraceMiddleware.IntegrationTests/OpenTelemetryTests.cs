using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Trace;
using TraceMiddleware.IntegrationTests.Infrastructure;
using TraceMiddleware.Testing;
using TraceMiddleware.Tracing;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.IntegrationTests;

/// <summary>
/// An OpenTelemetry TracerProvider listens process-wide, so this class runs alone: its sampler
/// must not change what the other tests observe.
/// </summary>
[Collection(nameof(ProcessWideListenerCollection))]
public sealed class OpenTelemetryTests
{
    [Fact]
    public async Task TracerProviderWithAddTraceMiddleware_ExportsTheSameSpans_WithTheSameIds()
    {
        var exported = new List<Activity>();
        using var provider = Sdk.CreateTracerProviderBuilder()
            .AddTraceMiddleware()
            .AddProcessor(new SimpleActivityExportProcessor(new CollectingExporter(exported)))
            .Build();
        await using var echo = await EchoServer.StartAsync();
        await using var factory = TestHosts.Minimal(new() { ["Tracing:TracesSampleRate"] = "1" });
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/call?url={Uri.EscapeDataString(echo.BaseAddress + "x")}");
        request.Headers.Add("sentry-trace", $"{traceId}-b7ad6b7169203331-1");

        (await factory.CreateClient().SendAsync(request)).EnsureSuccessStatusCode();
        await SpanCollector.WaitForSpanAsync(traceId, "http.server");

        // The echo server is a host of its own in this process; its request span is in the trace too, but not ours.
        var ours = SpanCollector.ForTrace(traceId).Where(IsOurs).Select(Ids).OrderBy(x => x).ToList();
        List<string> theirs;
        lock (exported)
        {
            theirs = exported.Where(a => a.TraceId.ToHexString() == traceId && IsOurs(a)).Select(Ids).OrderBy(x => x).ToList();
        }

        Assert.Equal(2, ours.Count);
        Assert.Equal(ours, theirs);
        Assert.Contains($"{traceId}/b7ad6b7169203331/", string.Join(";", theirs), StringComparison.Ordinal);
    }

    private static bool IsOurs(Activity a) => a.GetTagItem(SpanTags.Op) is not null;

    private static string Ids(Activity a) => $"{a.TraceId}/{a.ParentSpanId}/{a.SpanId}/{a.GetTagItem(SpanTags.Op)}";

    private sealed class CollectingExporter(List<Activity> sink) : BaseExporter<Activity>
    {
        public override ExportResult Export(in Batch<Activity> batch)
        {
            lock (sink)
            {
                foreach (var activity in batch)
                {
                    sink.Add(activity);
                }
            }

            return ExportResult.Success;
        }
    }
}

[CollectionDefinition(nameof(ProcessWideListenerCollection), DisableParallelization = true)]
public sealed class ProcessWideListenerCollection;
