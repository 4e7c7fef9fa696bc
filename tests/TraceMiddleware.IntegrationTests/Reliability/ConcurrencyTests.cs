using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using TraceMiddleware.Export.InMemory;
using TraceMiddleware.IntegrationTests.Infrastructure;
using TraceMiddleware.Testing;
using TraceMiddleware.Tracing;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.IntegrationTests.Reliability;

/// <summary>
/// Many requests at once, each with its own incoming trace and two outgoing calls to a real loopback
/// server: no trace context bleeds between requests, and every sampled request is one transaction with
/// its two children. build/stress.sh runs 10,000 requests.
/// </summary>
public sealed class ConcurrencyTests
{
    [Fact]
    public async Task ConcurrentRequests_KeepTheirOwnTrace_AndEachSampledOneIsOneTransaction()
    {
        var count = HostileHeaders.Count("CONCURRENT_REQUESTS", 2_000);
        const int concurrency = 200;
        await using var echo = await EchoServer.StartAsync();
        await using var factory = TestHosts.Minimal(new() { ["Tracing:TracesSampleRate"] = "0", ["Tracing:ExportQueueCapacity"] = "100000" })
            .WithWebHostBuilder(b => b.ConfigureServices(s => s.AddInMemoryTraceExporter()));
        var client = factory.CreateClient();
        var exporter = factory.Services.GetRequiredService<InMemoryTraceExporter>();
        var random = new Random(42);
        var requests = Enumerable.Range(0, count)
            .Select(_ => (TraceId: ActivityTraceId.CreateRandom().ToHexString(), Sampled: random.Next(2) == 0))
            .ToArray();

        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (r, ct) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/fanout?url={Uri.EscapeDataString($"{echo.BaseAddress}r/{r.TraceId}")}");
            request.Headers.Add("sentry-trace", $"{r.TraceId}-b7ad6b7169203331-{(r.Sampled ? 1 : 0)}");
            request.Headers.Add("baggage", $"sentry-trace_id={r.TraceId},sentry-sampled={(r.Sampled ? "true" : "false")},sentry-environment=load");
            (await client.SendAsync(request, ct)).EnsureSuccessStatusCode();
        });

        // Every outgoing call carried the trace of the request that made it, with the request's decision.
        Assert.Equal(2 * count, echo.Received.Count);
        var decisions = requests.ToDictionary(r => r.TraceId, r => r.Sampled);
        foreach (var received in echo.Received)
        {
            var traceId = received.PathAndQuery.Split('/')[2];
            var sentryTrace = received["sentry-trace"]!;
            Assert.StartsWith(traceId, sentryTrace, StringComparison.Ordinal);
            Assert.EndsWith(decisions[traceId] ? "-1" : "-0", sentryTrace, StringComparison.Ordinal);
            Assert.Contains($"sentry-trace_id={traceId}", received["baggage"], StringComparison.Ordinal);
        }

        // Every sampled request is exactly one transaction, with its two http.client children.
        var sampled = requests.Where(r => r.Sampled).Select(r => r.TraceId).ToHashSet();
        var last = requests.Last(r => r.Sampled).TraceId;
        await exporter.WaitForTransactionAsync(t => t.Root.TraceId.ToHexString() == last, TimeSpan.FromSeconds(60));
        for (var i = 0; i < 600 && exporter.Transactions.Count < sampled.Count; i++)
        {
            await Task.Delay(100);
        }

        var transactions = exporter.Transactions;
        Assert.Equal(sampled.Count, transactions.Count);
        Assert.Equal(sampled, transactions.Select(t => t.Root.TraceId.ToHexString()).ToHashSet());
        foreach (var transaction in transactions)
        {
            Assert.Equal(2, transaction.Activities.Count);
            Assert.All(transaction.Activities, s =>
            {
                Assert.Equal(transaction.Root.SpanId, s.ParentSpanId);
                Assert.Equal("http.client", s.GetTagItem(SpanTags.Op));
            });
        }
    }
}
