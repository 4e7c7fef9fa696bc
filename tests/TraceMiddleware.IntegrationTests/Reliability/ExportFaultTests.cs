using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using TraceMiddleware.Export;
using TraceMiddleware.Export.Sentry;
using TraceMiddleware.IntegrationTests.Export.Sentry;
using TraceMiddleware.IntegrationTests.Infrastructure;
using TraceMiddleware.Testing;
using Xunit.Abstractions;

namespace TraceMiddleware.IntegrationTests.Reliability;

/// <summary>
/// The app serves load while its Sentry receiver is down, hangs, rate-limits, fails or drops the
/// connection: every request succeeds, the queue stays within its capacity, shutdown ends within its
/// timeout, and with a healthy receiver nothing queued is lost. The figures go to the test output.
/// </summary>
public sealed class ExportFaultTests(ITestOutputHelper output)
{
    private const int Capacity = 100;

    public static TheoryData<string> Faults => ["healthy", "down", "hangs", "rate-limited", "failing", "drops connections"];

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task ReceiverFault_NeverFailsARequest_AndStaysBounded(string fault)
    {
        var requests = HostileHeaders.Count("FAULT_REQUESTS", 600);
        await using var receiver = await SentryReceiver.StartAsync();
        receiver.Always = fault switch
        {
            "hangs" => async c => await Task.Delay(Timeout.Infinite, c.RequestAborted).ContinueWith(_ => { }),
            "rate-limited" => c => receiver.Respond(c, 429, [("X-Sentry-Rate-Limits", "60:transaction:organization")]),
            "failing" => c => receiver.Respond(c, 500, []),
            "drops connections" => c => { c.Abort(); return Task.CompletedTask; },
            _ => null,
        };
        var dsn = fault == "down" ? $"http://publickey@127.0.0.1:{SentryReceiver.ClosedPort()}/42" : receiver.Dsn.Original;
        var factory = TestHosts.Minimal(new()
        {
            ["Tracing:Dsn"] = dsn,
            ["Tracing:TracesSampleRate"] = "1",
            // Healthy: room for every transaction, and time to send them, so that the shutdown flush is what
            // is tested. Faulty: a small queue, to show it stays bounded, and a short flush that gives up.
            ["Tracing:ExportQueueCapacity"] = fault == "healthy" ? "100000" : Capacity.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Tracing:ShutdownTimeout"] = fault == "healthy" ? "00:01:00" : "00:00:02",
        });
        var client = factory.CreateClient();
        var queue = factory.Services.GetRequiredService<TraceExportService>().Pipeline!.Queue;
        var sentry = factory.Services.GetRequiredService<SentryExporterOwner>().Exporter!;
        var served = 0;
        var peakQueue = 0;

        await Parallel.ForEachAsync(Enumerable.Range(0, requests), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
        {
            var response = await client.GetAsync($"/api/orders/{i}", ct);
            Assert.True(response.IsSuccessStatusCode, $"request {i}: {response.StatusCode}");
            Interlocked.Increment(ref served);
            InterlockedMax.Update(ref peakQueue, queue.Count);
        });

        // A request's transaction reaches the queue as its server span stops, just after its response.
        await Eventually.TrueAsync(() => queue.OfferedCount == requests, "every request's transaction offered to the queue");
        var stopwatch = Stopwatch.StartNew();
        await factory.DisposeAsync();
        stopwatch.Stop();

        output.WriteLine($"{fault}: {served}/{requests} requests served; {sentry.DeliveredCount} transactions delivered; dropped: {queue.DroppedCount} (queue full), {sentry.DroppedCount} (by the Sentry exporter); receiver saw {receiver.Attempts} attempts; peak queue {peakQueue}/{queue.Capacity}; shutdown {stopwatch.ElapsedMilliseconds} ms");
        Assert.Equal(requests, served);
        Assert.InRange(peakQueue, 0, queue.Capacity);

        // A hang guard, not a speed check: a faulty receiver makes shutdown give up at its 2 s timeout.
        Assert.InRange(stopwatch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(fault == "healthy" ? 90 : 30));
        switch (fault)
        {
            case "healthy":
                Assert.Equal(0, queue.DroppedCount);
                Assert.Equal(requests, sentry.DeliveredCount);
                Assert.Equal(requests, receiver.Received.Count);
                break;
            case "rate-limited":
                // After the first 429 nothing more is sent while the limit lasts.
                Assert.Equal(0, sentry.DeliveredCount);
                Assert.InRange(receiver.Attempts, 1, 10);
                break;
            default:
                Assert.Equal(0, sentry.DeliveredCount);
                Assert.InRange(sentry.DroppedCount + queue.DroppedCount, 1, requests);
                break;
        }
    }
}
