using TraceMiddleware.Export;
using TraceMiddleware.Export.Sentry;
using TraceMiddleware.Testing;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.IntegrationTests.Export.Sentry;

/// <summary>
/// The Sentry exporter's concurrent sends against a real loopback Kestrel receiver that holds each request
/// until the test answers it. Counts and event ids only: nothing here asserts on wall time.
/// </summary>
public sealed class SentryExporterConcurrencyTests : SentryExporterHarness
{
    private SentryTraceExporter NewExporter(int maxConcurrentSends = SentryTransportOptions.DefaultMaxConcurrentSends, int gzipThreshold = SentryTransportOptions.DefaultGzipThresholdBytes) =>
        CreateExporter(new SentryTransportOptions { BaseBackoff = TimeSpan.Zero, RequestTimeout = TimeSpan.FromSeconds(30), MaxConcurrentSends = maxConcurrentSends, GzipThresholdBytes = gzipThreshold });

    private static SentryTransaction[] Batch(int count, string prefix = "t", Func<int, int>? children = null) =>
        Enumerable.Range(0, count).Select(i => ExportSamples.Transaction($"{prefix} {i}", children?.Invoke(i) ?? 1)).ToArray();

    // A fresh exporter sends one envelope at a time until the receiver has accepted one; this one it accepts.
    private async Task<SentryTraceExporter> WarmedUpExporterAsync(int maxConcurrentSends = SentryTransportOptions.DefaultMaxConcurrentSends)
    {
        var exporter = NewExporter(maxConcurrentSends);
        await exporter.ExportAsync(Batch(1, "warm-up"), CancellationToken.None);
        Assert.Equal(1, exporter.DeliveredCount);
        return exporter;
    }

    private RequestHold HoldEveryRequest()
    {
        var hold = new RequestHold(Receiver);
        Receiver.Always = hold.HandleAsync;
        return hold;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(8)]
    public async Task MaxConcurrentSends_IsExactlyHowManyRequestsAreInFlightAtOnce(int lanes)
    {
        // Arrange
        using var exporter = await WarmedUpExporterAsync(lanes);
        var hold = HoldEveryRequest();
        const int total = 24;

        // Act: answer one request at a time, and only once as many are held as the exporter may have in flight.
        var export = exporter.ExportAsync(Batch(total), CancellationToken.None);
        for (var released = 0; released < total; released++)
        {
            await hold.WaitForHeldAsync(Math.Min(lanes, total - released));
            await hold.ReleaseOneAsync();
        }

        await export;

        // Assert
        Assert.Equal(lanes, hold.MaxConcurrent);
        Assert.Equal(total + 1, exporter.DeliveredCount);
        Assert.Equal(total + 1, Receiver.Received.Select(r => r.EventId).Distinct().Count());
    }

    [Fact]
    public async Task DefaultOptions_KeepEightRequestsInFlight()
    {
        using var exporter = await WarmedUpExporterAsync();
        var hold = HoldEveryRequest();

        var export = exporter.ExportAsync(Batch(12), CancellationToken.None);
        await hold.WaitForHeldAsync(8);
        for (var released = 0; released < 12; released++)
        {
            await hold.ReleaseOneAsync();
        }

        await export;

        Assert.Equal(8, SentryTransportOptions.DefaultMaxConcurrentSends);
        Assert.Equal(8, hold.MaxConcurrent);
        Assert.Equal(13, exporter.DeliveredCount);
    }

    [Fact]
    public async Task FreshExporter_ReceiverFailing_OnlyTheFirstEnvelopeIsTriedAndUnreachableIsLoggedOnce()
    {
        // Arrange: nothing accepted yet, so the batch does not fan out into eight lanes of retries.
        Receiver.Always = c => Receiver.Respond(c, 503, []);
        using var exporter = NewExporter();

        // Act
        await exporter.ExportAsync(Batch(20), CancellationToken.None);

        // Assert
        Assert.Equal(SentryTransportOptions.DefaultMaxAttempts, Receiver.Attempts);
        Assert.Single(Receiver.Received.Select(r => r.EventId).Distinct());
        Assert.Equal(20, exporter.DroppedCount);
        Assert.Equal(SentryTransportState.Unreachable, exporter.State);
        Assert.Equal(1, Logs.Count(3001));
    }

    [Fact]
    public async Task FreshExporter_KeyRejected_SendsOneAtATime()
    {
        // Arrange
        using var exporter = NewExporter();
        var hold = HoldEveryRequest();

        // Act
        var export = exporter.ExportAsync(Batch(6), CancellationToken.None);
        for (var released = 0; released < 6; released++)
        {
            await hold.ReleaseOneAsync(401);
        }

        await export;

        // Assert
        Assert.Equal(1, hold.MaxConcurrent);
        Assert.Equal(6, Receiver.Attempts);
        Assert.Equal(6, exporter.DroppedCount);
        Assert.Equal(1, Logs.Count(3004));
    }

    [Theory]
    [InlineData(200)]
    [InlineData(503)]
    public async Task RateLimitLearnedByOneLane_StopsTheOthersFromSendingAndRetrying(int othersAnswer)
    {
        // Arrange: eight envelopes in flight.
        using var exporter = await WarmedUpExporterAsync();
        var hold = HoldEveryRequest();
        const int total = 40;
        var export = exporter.ExportAsync(Batch(total), CancellationToken.None);
        await hold.WaitForHeldAsync(8);

        // Act: one lane learns the limit; then the seven others get their answers (and so would anything after them).
        await hold.ReleaseOneAsync(429, ("X-Sentry-Rate-Limits", "60:transaction:key"));
        await RequestHold.WaitUntilAsync(() => exporter.State == SentryTransportState.RateLimited, () => "the rate limit");
        Receiver.Always = c => Receiver.Respond(c, othersAnswer, []);
        for (var i = 0; i < 7; i++)
        {
            await hold.ReleaseOneAsync(othersAnswer);
        }

        await export;

        // Assert: nothing after the eight (no new sends, no retries of the 503s), and the 200s that were in
        // flight before the limit do not end it.
        var delivered = othersAnswer == 200 ? 7 : 0;
        Assert.Equal(1 + 8, Receiver.Attempts);
        Assert.Equal(1 + delivered, exporter.DeliveredCount);
        Assert.Equal(total - delivered, exporter.DroppedCount);
        Assert.Equal(SentryTransportState.RateLimited, exporter.State);
        Assert.Equal(Start.AddSeconds(60), exporter.RateLimitedUntil);
        Assert.Equal(1, Logs.Count(3002));
        Assert.Equal(0, Logs.Count(3003));
    }

    [Fact]
    public async Task ReceiverGoesDownWithEightInFlight_UnreachableIsLoggedOnceAndNoNewEnvelopeIsSent()
    {
        // Arrange
        using var exporter = await WarmedUpExporterAsync();
        var hold = HoldEveryRequest();
        const int total = 40;
        var export = exporter.ExportAsync(Batch(total), CancellationToken.None);
        await hold.WaitForHeldAsync(8);

        // Act: the eight get a 503, and so does every retry.
        Receiver.Always = c => Receiver.Respond(c, 503, []);
        for (var i = 0; i < 8; i++)
        {
            await hold.ReleaseOneAsync(503);
        }

        await export;

        // Assert: the eight envelopes in flight, retried at most to the limit; none of the other 32 sent.
        Assert.Equal(8, Receiver.Received.Where(r => r.AnsweredStatus == 503).Select(r => r.EventId).Distinct().Count());
        Assert.InRange(Receiver.Attempts, 1 + 8, 1 + (8 * SentryTransportOptions.DefaultMaxAttempts));
        Assert.Equal(1, exporter.DeliveredCount);
        Assert.Equal(total, exporter.DroppedCount);
        Assert.Equal(SentryTransportState.Unreachable, exporter.State);
        Assert.Equal(1, Logs.Count(3001));
    }

    [Fact]
    public async Task OneLaneFindsTheReceiverDown_TheOthersStartNoNewSend()
    {
        // Arrange
        using var exporter = await WarmedUpExporterAsync();
        var hold = HoldEveryRequest();
        const int total = 40;
        var export = exporter.ExportAsync(Batch(total), CancellationToken.None);
        await hold.WaitForHeldAsync(8);

        // Act: one lane gets a 503 for every attempt; the seven others were sent before and are answered after.
        Receiver.Always = c => Receiver.Respond(c, 503, []);
        await hold.ReleaseOneAsync(503);
        await RequestHold.WaitUntilAsync(() => exporter.State == SentryTransportState.Unreachable, () => "the receiver to be found down");
        for (var i = 0; i < 7; i++)
        {
            await hold.ReleaseOneAsync(200);
        }

        await export;

        // Assert: the eight, the failing one's retries, and nothing more; those late 200s do not end the outage.
        Assert.Equal(1 + 8 + (SentryTransportOptions.DefaultMaxAttempts - 1), Receiver.Attempts);
        Assert.Equal(1 + 7, exporter.DeliveredCount);
        Assert.Equal(total - 7, exporter.DroppedCount);
        Assert.Equal(SentryTransportState.Unreachable, exporter.State);
        Assert.Equal(1, Logs.Count(3001));
        Assert.Equal(0, Logs.Count(3003));
    }

    [Fact]
    public async Task CancelledWithEightInFlight_DropsTheWholeBatchAndLogsOnce()
    {
        // Arrange
        using var exporter = await WarmedUpExporterAsync();
        var hold = HoldEveryRequest();
        using var cancellation = new CancellationTokenSource();
        const int total = 40;
        var export = exporter.ExportAsync(Batch(total), cancellation.Token);
        await hold.WaitForHeldAsync(8);

        // Act
        await cancellation.CancelAsync();
        await export;

        // Assert
        Assert.Equal(1 + 8, Receiver.Attempts);
        Assert.Equal(total, exporter.DroppedCount);
        Assert.Equal(1, exporter.DeliveredCount);
        Assert.Equal(1, Logs.Count(3008));
        Assert.Contains("40 transactions", Assert.Single(Logs.Entries, e => e.EventId == 3008).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthyReceiver_500TransactionBatch_DeliversEachExactlyOnceAndIntact()
    {
        // Arrange: sizes on both sides of a 2 KiB gzip threshold (1, 11 and 21 spans), so lanes interleave plain
        // and gzipped bodies.
        using var exporter = NewExporter(gzipThreshold: 2048);
        var batch = Batch(500, children: i => i % 3 * 10);

        // Act
        await exporter.ExportAsync(batch, CancellationToken.None);

        // Assert
        var received = Receiver.Received.ToArray();
        Assert.Equal(500, received.Length);
        Assert.Equal(500, received.Select(r => r.EventId).Distinct().Count());
        Assert.Equal(
            batch.Select(t => (t.Root.DisplayName, t.Spans.Count)).Order(),
            received.Select(r => (r.Transaction, r.Payload.GetProperty("spans").GetArrayLength())).Order());
        Assert.Contains(received, r => r["content-encoding"] == "gzip");
        Assert.Contains(received, r => r["content-encoding"] is null);
        Assert.Equal(500, exporter.DeliveredCount);
        Assert.Equal(0, exporter.DroppedCount);
        Assert.DoesNotContain(Logs.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);
    }
}
