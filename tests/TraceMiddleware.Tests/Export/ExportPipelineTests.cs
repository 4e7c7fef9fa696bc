using TraceMiddleware.Configuration;
using TraceMiddleware.DependencyInjection;
using TraceMiddleware.Export;
using TraceMiddleware.Testing;

namespace TraceMiddleware.Tests.Export;

public sealed class ExportPipelineTests
{
    private static ExportTestRuntime Host(int capacity = 100, int batchSize = 100, TimeSpan? shutdownTimeout = null) => new(o =>
    {
        o.ExportQueueCapacity = capacity;
        o.ExportBatchSize = batchSize;
        o.ShutdownTimeout = shutdownTimeout ?? TimeSpan.FromSeconds(30);
    });

    [Fact]
    public async Task QueuedTransactions_AreSentInBatchesOfAtMostBatchSize()
    {
        var host = Host(batchSize: 3);
        var exporter = new RecordingExporter { HoldFirstBatch = true };
        using var pipeline = new ExportPipeline(host.Runtime, [exporter]);
        pipeline.Start();
        host.Transaction("first");
        await exporter.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        for (var i = 0; i < 7; i++)
        {
            host.Transaction("t" + i);
        }

        exporter.Release();
        await pipeline.StopAsync(CancellationToken.None);

        Assert.Equal([1, 3, 3, 1], exporter.Batches.Select(b => b.Count));
        Assert.Equal(["first", "t0", "t1", "t2", "t3", "t4", "t5", "t6"], exporter.Transactions.Select(t => t.Root.DisplayName));
    }

    [Fact]
    public async Task EveryExporter_GetsEveryBatch()
    {
        var host = Host();
        var a = new RecordingExporter();
        var b = new RecordingExporter();
        using var pipeline = new ExportPipeline(host.Runtime, [a, b]);
        pipeline.Start();

        var traces = Enumerable.Range(0, 5).Select(i => host.Transaction("t" + i)).ToList();
        await pipeline.StopAsync(CancellationToken.None);

        Assert.Equal(traces, a.Transactions.Select(t => t.Root.TraceId.ToHexString()));
        Assert.Equal(traces, b.Transactions.Select(t => t.Root.TraceId.ToHexString()));
    }

    [Fact]
    public async Task SlowExporter_DoesNotHoldUpProducers_AndTheQueueBoundHolds()
    {
        var host = Host(capacity: 2, batchSize: 1);
        var exporter = new RecordingExporter { HoldFirstBatch = true };
        using var pipeline = new ExportPipeline(host.Runtime, [exporter]);
        pipeline.Start();
        host.Transaction("taken by the sender");
        await exporter.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));

        for (var i = 0; i < 7; i++)
        {
            host.Transaction("t" + i);
        }

        Assert.Equal(2, pipeline.Queue.Count);
        Assert.Equal(5, pipeline.Queue.DroppedCount);
        Assert.Single(host.Logs.WithEventId(2001));

        exporter.Release();
        await exporter.WaitForTransactionCountAsync(3);
        host.Transaction("after recovery");
        await pipeline.StopAsync(CancellationToken.None);

        Assert.Equal(["taken by the sender", "t0", "t1", "after recovery"], exporter.Transactions.Select(t => t.Root.DisplayName));
        Assert.Contains("5 transactions were dropped", Assert.Single(host.Logs.WithEventId(2002)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailingExporter_IsLoggedOnce_OthersStillGetTheBatch_AndRecoveryIsLoggedWithTheCounts()
    {
        var host = Host(batchSize: 1);
        var failing = new RecordingExporter { ThrowOnCall = call => call is 1 or 2 or 3 };
        var healthy = new RecordingExporter();
        using var pipeline = new ExportPipeline(host.Runtime, [failing, healthy]);
        pipeline.Start();

        for (var i = 0; i < 5; i++)
        {
            host.Transaction("t" + i);
        }

        await pipeline.StopAsync(CancellationToken.None);

        Assert.Equal(5, healthy.Transactions.Count);
        Assert.Equal(["t3", "t4"], failing.Transactions.Select(t => t.Root.DisplayName));
        var failed = Assert.Single(host.Logs.WithEventId(2003));
        Assert.Contains(typeof(RecordingExporter).FullName!, failed.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidOperationException>(failed.Exception);
        var recovered = Assert.Single(host.Logs.WithEventId(2004));
        Assert.Contains("3 batches (3 transactions)", recovered.Message, StringComparison.Ordinal);
        Assert.Equal(3, pipeline.Exporters[0].DroppedTransactionCount);
        Assert.Equal(0, pipeline.Exporters[1].DroppedTransactionCount);
    }

    [Fact]
    public async Task ExporterThatKeepsFailing_IsLoggedOnlyOnce()
    {
        var host = Host(batchSize: 1);
        var failing = new RecordingExporter { ThrowOnCall = _ => true };
        using var pipeline = new ExportPipeline(host.Runtime, [failing]);
        pipeline.Start();

        for (var i = 0; i < 10; i++)
        {
            host.Transaction("t" + i);
        }

        await pipeline.StopAsync(CancellationToken.None);

        Assert.Single(host.Logs.WithEventId(2003));
        Assert.Empty(host.Logs.WithEventId(2004));
        Assert.Equal(10, pipeline.Exporters[0].DroppedTransactionCount);
    }

    [Fact]
    public async Task Stop_FlushesEverythingQueued()
    {
        var host = Host(batchSize: 1);
        var exporter = new RecordingExporter { HoldFirstBatch = true };
        using var pipeline = new ExportPipeline(host.Runtime, [exporter]);
        pipeline.Start();
        host.Transaction("first");
        await exporter.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        for (var i = 0; i < 4; i++)
        {
            host.Transaction("t" + i);
        }

        var stopping = pipeline.StopAsync(CancellationToken.None);
        exporter.Release();
        await stopping;

        Assert.Equal(5, exporter.Transactions.Count);
        Assert.Empty(host.Logs.WithEventId(2006));
    }

    [Fact]
    public async Task Stop_PastTheShutdownTimeout_CancelsTheExporter_AndLogsWhatWasLeft()
    {
        var host = Host(batchSize: 1, shutdownTimeout: TimeSpan.FromMilliseconds(100));
        var exporter = new RecordingExporter { WaitForCancellation = true };
        using var pipeline = new ExportPipeline(host.Runtime, [exporter]);
        pipeline.Start();
        host.Transaction("stuck");
        await exporter.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        host.Transaction("left 1");
        host.Transaction("left 2");

        await pipeline.StopAsync(CancellationToken.None);

        await exporter.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains("2 queued transactions were not exported", Assert.Single(host.Logs.WithEventId(2006)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stop_WhenTheHostsOwnTokenFires_CancelsTheExporterAtOnce()
    {
        var host = Host(batchSize: 1);
        var exporter = new RecordingExporter { WaitForCancellation = true };
        using var pipeline = new ExportPipeline(host.Runtime, [exporter]);
        pipeline.Start();
        host.Transaction("stuck");
        await exporter.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));

        await pipeline.StopAsync(new CancellationToken(canceled: true));

        await exporter.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Stop_CalledTwice_FlushesAndReportsOnce()
    {
        var host = Host(batchSize: 1, shutdownTimeout: TimeSpan.FromMilliseconds(100));
        var exporter = new RecordingExporter { WaitForCancellation = true };
        using var pipeline = new ExportPipeline(host.Runtime, [exporter]);
        pipeline.Start();
        host.Transaction("stuck");
        await exporter.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        host.Transaction("left");

        var first = pipeline.StopAsync(CancellationToken.None);
        var second = pipeline.StopAsync(CancellationToken.None);
        await Task.WhenAll(first, second);

        Assert.Same(first, second);
        Assert.Single(host.Logs.WithEventId(2006));
    }

    [Fact]
    public async Task Stop_Unhooks_SoLaterSpansAreNotGrouped()
    {
        var host = Host();
        var exporter = new RecordingExporter();
        using var pipeline = new ExportPipeline(host.Runtime, [exporter]);
        pipeline.Start();
        Assert.NotNull(host.Runtime.SpanStopped);

        await pipeline.StopAsync(CancellationToken.None);
        host.Transaction("after shutdown");

        Assert.Null(host.Runtime.SpanStopped);
        Assert.Empty(exporter.Transactions);
    }

    [Fact]
    public async Task NoExporter_NothingIsHooked_NorQueued()
    {
        var host = Host();
        using var pipeline = new ExportPipeline(host.Runtime, []);

        pipeline.Start();
        host.Transaction("nobody listens", children: 3);
        await pipeline.StopAsync(CancellationToken.None);

        Assert.Null(host.Runtime.SpanStopped);
        Assert.Equal(0, pipeline.Queue.Count);
        Assert.Equal(0, pipeline.Queue.DroppedCount);
    }

    [Fact]
    public void Options_ReachThePipeline()
    {
        var host = new ExportTestRuntime(o => o.ExportQueueCapacity = 7);

        using var pipeline = new ExportPipeline(host.Runtime, []);

        Assert.Equal(7, pipeline.Queue.Capacity);
        Assert.Equal(TracingOptions.DefaultExportBatchSize, host.Runtime.Options.ExportBatchSize);
    }
}
