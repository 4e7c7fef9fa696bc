using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TraceMiddleware.Export;
using TraceMiddleware.Export.InMemory;
using TraceMiddleware.Testing;
using TraceMiddleware.Tracing;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.IntegrationTests.Export;

/// <summary>Finished requests through the real pipeline to the exporters.</summary>
public sealed class ExportTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private static Dictionary<string, string?> Sampled => ExportHosts.SampledSettings;

    private static Func<SentryTransaction, bool> InTrace(string traceId) => t => t.Root.TraceId.ToHexString() == traceId;

    [Fact]
    public async Task SampledRequest_WithAnOutgoingCall_IsOneTransaction_WithItsHttpClientSpan()
    {
        await using var echo = await EchoServer.StartAsync();
        await using var factory = ExportHosts.Minimal(Sampled, s => s.AddInMemoryTraceExporter());
        var exporter = factory.Services.GetRequiredService<InMemoryTraceExporter>();
        var client = factory.CreateClient();

        var traceId = await ExportHosts.GetSampledAsync(client, $"/call?url={echo.BaseAddress}orders");
        var transaction = await exporter.WaitForTransactionAsync(InTrace(traceId), Wait);
        var sentinel = await ExportHosts.GetSampledAsync(client, "/api/orders/1");
        await exporter.WaitForTransactionAsync(InTrace(sentinel), Wait);

        Assert.Single(exporter.Transactions, t => t.Root.TraceId.ToHexString() == traceId);
        Assert.Equal("GET /call", transaction.Root.DisplayName);
        Assert.Equal("http.server", transaction.Root.GetTagItem(SpanTags.Op));
        Assert.Equal("route", transaction.TransactionSource);
        Assert.True(transaction.ReportParentSpanId);
        var span = Assert.Single(transaction.Activities);
        Assert.Equal("http.client", span.GetTagItem(SpanTags.Op));
        Assert.Equal($"GET {echo.BaseAddress}orders", span.DisplayName);
        Assert.Equal(transaction.Root.SpanId, span.ParentSpanId);
        Assert.Equal(0, transaction.DroppedSpanCount);
    }

    [Fact]
    public async Task SampledRequest_WithAManualSpan_IsOneTransaction_WithThatSpan()
    {
        await using var factory = ExportHosts.Minimal(Sampled, s => s.AddInMemoryTraceExporter());
        var exporter = factory.Services.GetRequiredService<InMemoryTraceExporter>();

        var traceId = await ExportHosts.GetSampledAsync(factory.CreateClient(), "/manual");
        var transaction = await exporter.WaitForTransactionAsync(InTrace(traceId), Wait);

        Assert.Equal("GET /manual", transaction.Root.DisplayName);
        var span = Assert.Single(transaction.Activities);
        Assert.Equal(("db.query", "INSERT INTO orders"), (span.GetTagItem(SpanTags.Op), span.DisplayName));
        Assert.Equal(transaction.Root.SpanId, span.ParentSpanId);
    }

    [Fact]
    public async Task UnsampledRequest_ProducesNoTransaction()
    {
        await using var factory = ExportHosts.Minimal(new() { ["Tracing:TracesSampleRate"] = "0" }, s => s.AddInMemoryTraceExporter());
        var exporter = factory.Services.GetRequiredService<InMemoryTraceExporter>();
        var client = factory.CreateClient();

        (await client.GetAsync("/manual")).EnsureSuccessStatusCode();
        var sentinel = await ExportHosts.GetSampledAsync(client, "/manual");
        await exporter.WaitForTransactionAsync(InTrace(sentinel), Wait);

        var only = Assert.Single(exporter.Transactions);
        Assert.Equal(sentinel, only.Root.TraceId.ToHexString());
    }

    [Fact]
    public async Task PropagationOnlyMode_ProducesNoTransaction_AndHooksNothing()
    {
        await using var factory = ExportHosts.Minimal(new(), s => s.AddInMemoryTraceExporter());
        var exporter = factory.Services.GetRequiredService<InMemoryTraceExporter>();

        var traceId = await ExportHosts.GetSampledAsync(factory.CreateClient(), "/manual");
        await SpanCollector.WaitForRequestAsync(traceId);
        await factory.DisposeAsync();

        Assert.Empty(exporter.Transactions);
    }

    [Fact]
    public async Task CustomExporter_ByType_IsBuiltByTheContainer_AndGetsTheTransactions()
    {
        await using var factory = ExportHosts.Minimal(Sampled, s => s.AddSingleton<InMemoryTraceExporter>().AddTraceExporter<ForwardingExporter>().AddTraceExporter<ForwardingExporter>());
        var exporter = factory.Services.GetRequiredService<InMemoryTraceExporter>();

        var traceId = await ExportHosts.GetSampledAsync(factory.CreateClient(), "/manual");
        await exporter.WaitForTransactionAsync(InTrace(traceId), Wait);
        await factory.DisposeAsync();

        Assert.Single(exporter.Transactions, t => t.Root.TraceId.ToHexString() == traceId);
    }

    [Fact]
    public async Task CustomExporter_ByInstance_AddedTwice_GetsEachTransactionOnce()
    {
        var exporter = new RecordingExporter();
        await using var factory = ExportHosts.Minimal(Sampled, s => s.AddTraceExporter(exporter).AddTraceExporter(exporter));

        await ExportHosts.GetSampledAsync(factory.CreateClient(), "/manual");
        await exporter.WaitForTransactionCountAsync(1);
        await factory.DisposeAsync();

        Assert.Single(exporter.Transactions);
    }

    [Fact]
    public async Task Shutdown_FlushesWhatIsQueued()
    {
        var exporter = new RecordingExporter { HoldFirstBatch = true };
        var factory = ExportHosts.Minimal(
            new(Sampled) { ["Tracing:ExportBatchSize"] = "1" },
            s => s.AddTraceExporter(exporter));
        factory.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(exporter.Release);
        var client = factory.CreateClient();

        var traces = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            traces.Add(await ExportHosts.GetSampledAsync(client, "/manual"));
        }

        // A request's transaction is queued as its server span stops, just after the response.
        await Eventually.TrueAsync(() => factory.Pipeline().Queue.Count >= 4, "the transactions behind the held one queued");
        var queuedAtShutdown = factory.Pipeline().Queue.Count;
        await factory.DisposeAsync();

        Assert.True(queuedAtShutdown >= 4, $"{queuedAtShutdown} were queued when shutdown began");
        // Each request's transaction is queued as its span stops, after its response: not necessarily in request order.
        Assert.Equal(traces.Order(StringComparer.Ordinal), exporter.Transactions.Select(t => t.Root.TraceId.ToHexString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Shutdown_PastShutdownTimeout_CancelsTheExporter_AndLogsWhatWasLeft()
    {
        var logs = new CapturingLoggerProvider();
        var exporter = new RecordingExporter { WaitForCancellation = true };
        var factory = ExportHosts.Minimal(
            new(Sampled) { ["Tracing:ExportBatchSize"] = "1", ["Tracing:ShutdownTimeout"] = "00:00:00.200" },
            s => s.AddTraceExporter(exporter),
            logs);
        var client = factory.CreateClient();
        await ExportHosts.GetSampledAsync(client, "/manual");
        await exporter.Entered.Task.WaitAsync(Wait);
        await ExportHosts.GetSampledAsync(client, "/manual");
        await ExportHosts.GetSampledAsync(client, "/manual");
        await Eventually.TrueAsync(() => factory.Pipeline().Queue.Count == 2, "two transactions queued behind the held one");

        await factory.DisposeAsync();

        await exporter.Cancelled.Task.WaitAsync(Wait);
        var log = Assert.Single(logs.WithEventId(2006));
        Assert.Contains("2 queued transactions were not exported within the ShutdownTimeout of 00:00:00.2000000", log.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SlowExporter_DoesNotHoldUpRequests_TheQueueBoundHolds_AndDropsAreCountedAndLoggedOnce()
    {
        var logs = new CapturingLoggerProvider();
        var exporter = new RecordingExporter { HoldFirstBatch = true };
        await using var factory = ExportHosts.Minimal(
            new(Sampled) { ["Tracing:ExportQueueCapacity"] = "2", ["Tracing:ExportBatchSize"] = "1" },
            s => s.AddTraceExporter(exporter),
            logs);
        var client = factory.CreateClient();
        await ExportHosts.GetSampledAsync(client, "/manual");
        await exporter.Entered.Task.WaitAsync(Wait);

        // The exporter holds its first batch until released: had a request waited on export, this would hang.
        for (var i = 0; i < 19; i++)
        {
            await ExportHosts.GetSampledAsync(client, "/manual");
        }

        var pipeline = factory.Pipeline();
        await Eventually.TrueAsync(() => pipeline.Queue.DroppedCount == 17 && logs.Count(2001) > 0, "17 transactions dropped at the full queue, and that logged");
        Assert.Equal(2, pipeline.Queue.Count);
        Assert.Contains("full (2 transactions)", Assert.Single(logs.WithEventId(2001)).Message, StringComparison.Ordinal);

        exporter.Release();
        await exporter.WaitForTransactionCountAsync(3);
        await ExportHosts.GetSampledAsync(client, "/manual");
        await exporter.WaitForTransactionCountAsync(4);
        await Eventually.TrueAsync(() => logs.Count(2002) > 0, "the queue's recovery logged");

        Assert.Contains("17 transactions were dropped", Assert.Single(logs.WithEventId(2002)).Message, StringComparison.Ordinal);
        Assert.Single(logs.WithEventId(2001));
    }

    [Fact]
    public async Task NoExporterAndNoDsn_OutsideDevelopment_NothingIsHookedOrQueued()
    {
        await using var factory = ExportHosts.Minimal(Sampled);

        await ExportHosts.GetSampledAsync(factory.CreateClient(), "/manual");

        var pipeline = factory.Pipeline();
        Assert.Empty(pipeline.Exporters);
        Assert.Equal(0, pipeline.Queue.Count);
        Assert.Null(factory.Services.GetRequiredService<TracingRuntime>().SpanStopped);
    }
}
