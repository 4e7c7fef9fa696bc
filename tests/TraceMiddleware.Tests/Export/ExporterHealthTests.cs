using TraceMiddleware.Export;
using TraceMiddleware.Testing;
using TraceMiddleware.Tests.Export.Sentry;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.Tests.Export;

/// <summary>An exporter that fails and succeeds in turn is logged at most one failure and recovery per interval.</summary>
public sealed class ExporterHealthTests
{
    private static readonly DateTimeOffset Start = new(2030, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ExporterFailingEveryOtherBatch_LogsOnePairPerInterval_WithCounts()
    {
        // Arrange
        var logs = new CapturingLoggerProvider();
        var logger = logs.CreateLogger("TraceMiddleware");
        var clock = new FixedTimeProvider(Start);
        var health = new ExporterHealth(new NoExporter(), clock);

        // Act: 200 failures and successes in turn within the interval, then one more of each after it.
        for (var i = 0; i < 200; i++)
        {
            health.OnFailed(logger, new InvalidOperationException("boom"), 2);
            health.OnSucceeded(logger);
            clock.Now += TimeSpan.FromMilliseconds(40);
        }

        var withinTheInterval = (logs.Count(2003), logs.Count(2004));
        clock.Now = Start + StateChangeLogLimiter.Interval;
        health.OnFailed(logger, new InvalidOperationException("boom"), 2);
        health.OnSucceeded(logger);

        // Assert
        Assert.Equal((1, 1), withinTheInterval);
        Assert.Equal(2, logs.Count(2003));
        var recovered = logs.WithEventId(2004);
        Assert.Contains("200 batches (400 transactions) were dropped while it was failing (times failing since the last report: 200)", recovered[1].Message, StringComparison.Ordinal);
        Assert.Equal(402, health.DroppedTransactionCount);
    }

    private sealed class NoExporter : ITraceExporter
    {
        public Task ExportAsync(IReadOnlyList<SentryTransaction> batch, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
