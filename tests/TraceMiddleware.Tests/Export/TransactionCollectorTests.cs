using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using TraceMiddleware.Configuration;
using TraceMiddleware.DependencyInjection;
using TraceMiddleware.Export;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.Tests.Export;

public sealed class TransactionCollectorTests
{
    private const string IncomingTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";

    private static (ExportTestRuntime Host, ExportQueue Queue, TransactionCollector Collector) Create(Action<TracingOptions>? configure = null, int capacity = 100)
    {
        var host = new ExportTestRuntime(configure);
        var queue = new ExportQueue(capacity, NullLogger.Instance);
        var collector = new TransactionCollector(queue, host.Runtime.Logger);
        host.Runtime.SpanStopped = collector.OnSpanStopped;
        return (host, queue, collector);
    }

    [Fact]
    public void Root_WithChildren_BecomesOneTransaction_WithTheChildrenInFinishOrder()
    {
        var (host, queue, _) = Create();
        Activity first, second, grandchild;

        using (var root = host.Tracer.StartTransaction("checkout", "task")!)
        {
            using (second = host.Tracer.StartSpan("outer", "function")!)
            {
                using (grandchild = host.Tracer.StartSpan("INSERT", "db.query")!)
                {
                }
            }

            using (first = host.Tracer.StartSpan("later", "http.client")!)
            {
            }

            Assert.Equal(0, queue.Count);
        }

        var transaction = Assert.Single(queue.TakeBatch(10));
        Assert.Equal("checkout", transaction.Root.DisplayName);
        Assert.Equal([grandchild, second, first], transaction.Activities);
        Assert.Equal(0, transaction.DroppedSpanCount);
        Assert.Equal(transaction.Root.SpanId, second.ParentSpanId);
        Assert.Equal(second.SpanId, grandchild.ParentSpanId);
    }

    [Fact]
    public void Transaction_CarriesTheDscSourceReleaseAndEnvironmentOfTheRoot()
    {
        var (host, queue, _) = Create();

        var traceId = host.Transaction("nightly import");

        var transaction = Assert.Single(queue.TakeBatch(10));
        Assert.Equal(traceId, transaction.DynamicSamplingContext.TraceId);
        Assert.Equal("true", transaction.DynamicSamplingContext.Sampled);
        Assert.Equal("custom", transaction.TransactionSource);
        Assert.Equal("shop@1.0", transaction.Release);
        Assert.Equal("test", transaction.Environment);
        Assert.False(transaction.ReportParentSpanId);
    }

    [Fact]
    public void ContinuedTrace_ReportsTheCallersSpanAsParent()
    {
        var (host, queue, _) = Create();

        using (host.Tracer.ContinueTrace($"{IncomingTraceId}-00f067aa0ba902b7-1", "sentry-trace_id=" + IncomingTraceId, "consume"))
        {
        }

        var transaction = Assert.Single(queue.TakeBatch(10));
        Assert.True(transaction.ReportParentSpanId);
        Assert.Equal("00f067aa0ba902b7", transaction.Root.ParentSpanId.ToHexString());
        Assert.Equal(IncomingTraceId, transaction.DynamicSamplingContext.TraceId);
    }

    [Fact]
    public void TraceIdOnlyCaller_HasAMadeUpParent_ThatIsNotReported()
    {
        var (host, queue, _) = Create();

        using (host.Tracer.ContinueTrace(IncomingTraceId + "-1", null, "consume"))
        {
        }

        var transaction = Assert.Single(queue.TakeBatch(10));
        Assert.Equal(IncomingTraceId, transaction.Root.TraceId.ToHexString());
        Assert.False(transaction.ReportParentSpanId);
    }

    [Fact]
    public void MoreThanMaxSpansChildren_KeepsMaxSpans_AndCountsTheRest()
    {
        var (host, queue, _) = Create();

        host.Transaction(children: SentryTransaction.MaxSpans + 3);

        var transaction = Assert.Single(queue.TakeBatch(10));
        Assert.Equal(SentryTransaction.MaxSpans, transaction.Activities.Count);
        Assert.Equal(3, transaction.DroppedSpanCount);
        Assert.Equal("child 0", transaction.Activities[0].DisplayName);
    }

    [Fact]
    public void ChildFinishingAfterItsRoot_IsCountedAsDropped_NotAttached_AndLoggedOnce()
    {
        var (host, queue, collector) = Create();
        var root = host.Tracer.StartTransaction("request")!;
        var late1 = host.Tracer.StartSpan("background work", "task")!;
        Activity.Current = root;
        var late2 = host.Tracer.StartSpan("more background work", "task")!;
        Activity.Current = root;

        root.Stop();
        late1.Stop();
        late2.Stop();

        var transaction = Assert.Single(queue.TakeBatch(10));
        Assert.Empty(transaction.Activities);
        Assert.Equal(0, transaction.DroppedSpanCount);
        Assert.Equal(2, collector.LateSpanCount);
        var log = Assert.Single(host.Logs.WithEventId(2005));
        Assert.Contains("background work", log.Message, StringComparison.Ordinal);
        Assert.Contains("request", log.Message, StringComparison.Ordinal);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void UnsampledTrace_IsNeverBuffered_NorQueued()
    {
        var (host, queue, collector) = Create(o => o.TracesSampleRate = 0);
        var root = host.Tracer.StartTransaction("request")!;
        using (host.Tracer.StartSpan("child", "db.query"))
        {
        }

        root.Stop();

        Assert.Equal(0, queue.Count);
        Assert.Equal(0, collector.LateSpanCount);
        Assert.False(TraceMiddleware.Tracing.TraceRoot.Find(root)!.Spans.IsClosed);
    }

    [Fact]
    public void PropagationOnlyMode_SampledCaller_IsNotQueued()
    {
        var (host, queue, _) = Create(o => o.TracesSampleRate = null);

        using (host.Tracer.ContinueTrace($"{IncomingTraceId}-00f067aa0ba902b7-1", null, "consume"))
        {
            using (host.Tracer.StartSpan("child", "db.query"))
            {
            }
        }

        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void SeparateRoots_BecomeSeparateTransactions_EachWithItsOwnChildren()
    {
        var (host, queue, _) = Create();

        var a = host.Transaction("a", children: 2);
        var b = host.Transaction("b", children: 5);

        var batch = queue.TakeBatch(10);
        Assert.Equal(2, batch.Length);
        Assert.Equal((a, 2), (batch[0].Root.TraceId.ToHexString(), batch[0].Activities.Count));
        Assert.Equal((b, 5), (batch[1].Root.TraceId.ToHexString(), batch[1].Activities.Count));
    }

    [Fact]
    public async Task ConcurrentRoots_OnManyThreads_EachGetExactlyTheirChildren()
    {
        var (host, queue, _) = Create(capacity: 1000);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 20; i++)
            {
                host.Transaction("t" + t, children: t);
            }
        })));

        var batch = queue.TakeBatch(1000);
        Assert.Equal(160, batch.Length);
        Assert.All(batch, tx => Assert.Equal(int.Parse(tx.Root.DisplayName[1..]), tx.Activities.Count));
        Assert.All(batch, tx => Assert.All(tx.Activities, s => Assert.Equal(tx.Root.TraceId, s.TraceId)));
    }

    [Fact]
    public void RandomTrees_FinishedInRandomOrder_AttachExactlyTheSpansThatFinishedBeforeTheRoot()
    {
        var random = new Random(4242);
        var (host, queue, collector) = Create(capacity: 1000);
        long expectedLate = 0;

        for (var round = 0; round < 300; round++)
        {
            var root = host.Tracer.StartTransaction("round " + round)!;
            var open = new List<Activity> { root };
            var spans = new List<Activity>();
            var count = random.Next(0, 40);
            for (var i = 0; i < count; i++)
            {
                Activity.Current = open[random.Next(open.Count)];
                var span = host.Tracer.StartSpan("s" + i, "op")!;
                open.Add(span);
                spans.Add(span);
            }

            Activity.Current = null;
            var order = spans.Append(root).OrderBy(_ => random.Next()).ToList();
            var before = new List<Activity>();
            var rootStopped = false;
            foreach (var span in order)
            {
                span.Stop();
                if (span == root)
                {
                    rootStopped = true;
                }
                else if (rootStopped)
                {
                    expectedLate++;
                }
                else
                {
                    before.Add(span);
                }
            }

            var transaction = Assert.Single(queue.TakeBatch(10));
            Assert.Same(root, transaction.Root);
            Assert.Equal(before, transaction.Activities);
        }

        Assert.Equal(expectedLate, collector.LateSpanCount);
    }
}
