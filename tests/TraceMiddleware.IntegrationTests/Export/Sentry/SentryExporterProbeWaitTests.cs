using TraceMiddleware.Export;
using TraceMiddleware.Export.Sentry;
using TraceMiddleware.Testing;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.IntegrationTests.Export.Sentry;

/// <summary>
/// What finishes while the exporter leaves a receiver found down alone waits, up to a limit, for the next
/// probe: it goes with a probe that finds the receiver back, and is dropped with one that does not.
/// </summary>
public sealed class SentryExporterProbeWaitTests : SentryExporterHarness
{
    private SentryTraceExporter NewExporter(int maxHeld = SentryTransportOptions.DefaultMaxHeldTransactions) =>
        CreateExporter(new SentryTransportOptions { BaseBackoff = TimeSpan.Zero, MaxHeldTransactions = maxHeld });

    private static IReadOnlyList<SentryTransaction> Batch(params string[] names) => names.Select(n => ExportSamples.Transaction(n)).ToArray();

    [Fact]
    public async Task ProbeFindsTheReceiverBack_WhatWaitedGoesWithIt()
    {
        // Arrange: down for the first batch's attempts, then back.
        Receiver.ThenRespond(503).ThenRespond(503).ThenRespond(503);
        using var exporter = NewExporter();
        await exporter.ExportAsync(Batch("lost"), CancellationToken.None);

        // Act: two batches within the wait, one after it.
        await exporter.ExportAsync(Batch("a", "b"), CancellationToken.None);
        await exporter.ExportAsync(Batch("c"), CancellationToken.None);
        var heldWithinTheWait = exporter.HeldCount;
        var attemptsWithinTheWait = Receiver.Attempts;
        Clock.Advance(exporter.ProbeAt - Clock.GetUtcNow());
        await exporter.ExportAsync(Batch("d"), CancellationToken.None);

        // Assert: the oldest waiting one probed; the rest followed.
        Assert.Equal(3, heldWithinTheWait);
        Assert.Equal(SentryTransportOptions.DefaultMaxAttempts, attemptsWithinTheWait);
        Assert.Equal(["a", "b", "c", "d"], Receiver.Received.Where(r => r.AnsweredStatus == 200).Select(r => r.Transaction).Order(StringComparer.Ordinal));
        Assert.Equal("a", Receiver.Received.First(r => r.AnsweredStatus == 200).Transaction);
        Assert.Equal(0, exporter.HeldCount);
        Assert.Equal(1, exporter.DroppedCount);
        Assert.Contains("1 transactions were dropped", Assert.Single(Logs.Entries, e => e.EventId == 3003).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MoreThanTheLimitFinishesWithinTheWait_TheNewestAreDropped()
    {
        // Arrange
        Receiver.ThenRespond(503).ThenRespond(503).ThenRespond(503);
        using var exporter = NewExporter(maxHeld: 2);
        await exporter.ExportAsync(Batch("lost"), CancellationToken.None);

        // Act
        await exporter.ExportAsync(Batch("a", "b", "c"), CancellationToken.None);
        Clock.Advance(exporter.ProbeAt - Clock.GetUtcNow());
        await exporter.ExportAsync(Batch("d"), CancellationToken.None);

        // Assert
        Assert.Equal(["a", "b", "d"], Receiver.Received.Where(r => r.AnsweredStatus == 200).Select(r => r.Transaction).Order(StringComparer.Ordinal));
        Assert.Equal(2, exporter.DroppedCount);
    }
}
