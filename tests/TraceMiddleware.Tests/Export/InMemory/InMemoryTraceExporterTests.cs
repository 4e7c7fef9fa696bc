using System.Diagnostics;
using TraceMiddleware.Export;
using TraceMiddleware.Export.InMemory;
using TraceMiddleware.Propagation;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.Tests.Export.InMemory;

public sealed class InMemoryTraceExporterTests
{
    private static SentryTransaction Tx(string name) =>
        new(new Activity(name), [], 0, DynamicSamplingContext.Empty, "custom", null, "test", false);

    [Fact]
    public async Task ExportAsync_KeepsTheTransactionsInOrder()
    {
        var exporter = new InMemoryTraceExporter();

        await exporter.ExportAsync([Tx("a"), Tx("b")], CancellationToken.None);
        await exporter.ExportAsync([Tx("c")], CancellationToken.None);

        Assert.Equal(["a", "b", "c"], exporter.Transactions.Select(t => t.Root.DisplayName));
    }

    [Fact]
    public async Task Transactions_IsASnapshot()
    {
        var exporter = new InMemoryTraceExporter();
        await exporter.ExportAsync([Tx("a")], CancellationToken.None);

        var snapshot = exporter.Transactions;
        await exporter.ExportAsync([Tx("b")], CancellationToken.None);

        Assert.Single(snapshot);
    }

    [Fact]
    public async Task Clear_ForgetsWhatWasExported()
    {
        var exporter = new InMemoryTraceExporter();
        await exporter.ExportAsync([Tx("a")], CancellationToken.None);

        exporter.Clear();

        Assert.Empty(exporter.Transactions);
    }

    [Fact]
    public async Task WaitForTransactionAsync_AlreadyExported_ReturnsIt()
    {
        var exporter = new InMemoryTraceExporter();
        await exporter.ExportAsync([Tx("a"), Tx("b")], CancellationToken.None);

        var found = await exporter.WaitForTransactionAsync(t => t.Root.DisplayName == "b", TimeSpan.FromSeconds(5));

        Assert.Equal("b", found.Root.DisplayName);
    }

    [Fact]
    public async Task WaitForTransactionAsync_CompletesWhenAMatchingOneIsExported()
    {
        var exporter = new InMemoryTraceExporter();
        var waiting = exporter.WaitForTransactionAsync(t => t.Root.DisplayName == "wanted", TimeSpan.FromSeconds(30));

        await exporter.ExportAsync([Tx("other")], CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        await exporter.ExportAsync([Tx("other"), Tx("wanted")], CancellationToken.None);

        Assert.Equal("wanted", (await waiting).Root.DisplayName);
    }

    [Fact]
    public async Task WaitForTransactionAsync_NoMatchInTime_ThrowsTimeout_ListingWhatWasExported()
    {
        var exporter = new InMemoryTraceExporter();
        await exporter.ExportAsync([Tx("GET /orders")], CancellationToken.None);

        var error = await Assert.ThrowsAsync<TimeoutException>(() => exporter.WaitForTransactionAsync(_ => false, TimeSpan.FromMilliseconds(1)));

        Assert.Contains("1 were exported: 'GET /orders'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitForTransactionAsync_PredicateThatThrowsDuringExport_FailsOnlyThatWait()
    {
        var exporter = new InMemoryTraceExporter();
        var waiting = exporter.WaitForTransactionAsync(_ => throw new FormatException("bad predicate"), TimeSpan.FromSeconds(30));

        await exporter.ExportAsync([Tx("a")], CancellationToken.None);

        await Assert.ThrowsAsync<FormatException>(() => waiting);
        Assert.Single(exporter.Transactions);
    }

    [Fact]
    public async Task WaitForTransactionAsync_NullPredicate_Throws()
    {
        var exporter = new InMemoryTraceExporter();

        await Assert.ThrowsAsync<ArgumentNullException>(() => exporter.WaitForTransactionAsync(null!, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task ConcurrentExportsAndWaits_LoseNothing()
    {
        var exporter = new InMemoryTraceExporter();
        var waits = Enumerable.Range(0, 50).Select(i => exporter.WaitForTransactionAsync(t => t.Root.DisplayName == "t" + i, TimeSpan.FromSeconds(30))).ToList();

        await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(() => exporter.ExportAsync([Tx("t" + i)], CancellationToken.None))));

        Assert.Equal(50, exporter.Transactions.Count);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => "t" + i), (await Task.WhenAll(waits)).Select(t => t.Root.DisplayName));
    }
}
