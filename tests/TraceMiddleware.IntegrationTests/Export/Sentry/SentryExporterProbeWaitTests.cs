using TraceMiddleware.Export;
using TraceMiddleware.Export.Sentry;
using TraceMiddleware.Testing;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.IntegrationTests.Export.Sentry;

/// <summary>
/// What finishes while the exporter leaves a receiver found down alone waits, up to a limit, for the next
/// probe: it goes with a probe that finds the receiver back, and is dropped with one that does not.
/// </summary>
public sealed class SentryExporterProbeWaitTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2030, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly ManualClock _clock = new(Start);
    private readonly CapturingLoggerProvider _logs = new();
    private SentryReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await SentryReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    private SentryTraceExporter NewExporter(int maxHeld = SentryTransportOptions.DefaultMaxHeldTransactions) => new(
        _receiver.Dsn,
        new SentryTransportOptions { BaseBackoff = TimeSpan.Zero, MaxHeldTransactions = maxHeld },
        handler: null,
        _logs.CreateLogger("TraceMiddleware"),
        _clock);

    private static IReadOnlyList<SentryTransaction> Batch(params string[] names) => names.Select(n => ExportSamples.Transaction(n)).ToArray();

    [Fact]
    public async Task ProbeFindsTheReceiverBack_WhatWaitedGoesWithIt()
    {
        // Arrange: down for the first batch's attempts, then back.
        _receiver.ThenRespond(503).ThenRespond(503).ThenRespond(503);
        using var exporter = NewExporter();
        await exporter.ExportAsync(Batch("lost"), CancellationToken.None);

        // Act: two batches within the wait, one after it.
        await exporter.ExportAsync(Batch("a", "b"), CancellationToken.None);
        await exporter.ExportAsync(Batch("c"), CancellationToken.None);
        var heldWithinTheWait = exporter.HeldCount;
        var attemptsWithinTheWait = _receiver.Attempts;
        _clock.Advance(exporter.ProbeAt - _clock.GetUtcNow());
        await exporter.ExportAsync(Batch("d"), CancellationToken.None);

        // Assert: the oldest waiting one probed; the rest followed.
        Assert.Equal(3, heldWithinTheWait);
        Assert.Equal(SentryTransportOptions.DefaultMaxAttempts, attemptsWithinTheWait);
        Assert.Equal(["a", "b", "c", "d"], _receiver.Received.Where(r => r.AnsweredStatus == 200).Select(r => r.Transaction).Order(StringComparer.Ordinal));
        Assert.Equal("a", _receiver.Received.First(r => r.AnsweredStatus == 200).Transaction);
        Assert.Equal(0, exporter.HeldCount);
        Assert.Equal(1, exporter.DroppedCount);
        Assert.Contains("1 transactions were dropped", Assert.Single(_logs.Entries, e => e.EventId == 3003).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MoreThanTheLimitFinishesWithinTheWait_TheNewestAreDropped()
    {
        // Arrange
        _receiver.ThenRespond(503).ThenRespond(503).ThenRespond(503);
        using var exporter = NewExporter(maxHeld: 2);
        await exporter.ExportAsync(Batch("lost"), CancellationToken.None);

        // Act
        await exporter.ExportAsync(Batch("a", "b", "c"), CancellationToken.None);
        _clock.Advance(exporter.ProbeAt - _clock.GetUtcNow());
        await exporter.ExportAsync(Batch("d"), CancellationToken.None);

        // Assert
        Assert.Equal(["a", "b", "d"], _receiver.Received.Where(r => r.AnsweredStatus == 200).Select(r => r.Transaction).Order(StringComparer.Ordinal));
        Assert.Equal(2, exporter.DroppedCount);
    }
}
