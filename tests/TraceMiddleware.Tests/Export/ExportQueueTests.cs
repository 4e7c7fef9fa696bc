using System.Diagnostics;
using TraceMiddleware.Export;
using TraceMiddleware.Propagation;
using TraceMiddleware.Testing;
using TraceMiddleware.Tests.Export.Sentry;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.Tests.Export;

public sealed class ExportQueueTests
{
    private static readonly DateTimeOffset Start = new(2030, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static SentryTransaction Tx(string name) =>
        new(new Activity(name), [], 0, DynamicSamplingContext.Empty, "custom", null, "test", false);

    [Fact]
    public void TryEnqueue_UpToCapacity_Accepts_ThenDropsTheNewest_AndCountsIt()
    {
        var logs = new CapturingLoggerProvider();
        var queue = new ExportQueue(3, logs.CreateLogger("TraceMiddleware"));

        var accepted = Enumerable.Range(0, 5).Select(i => queue.TryEnqueue(Tx("t" + i))).ToList();

        Assert.Equal([true, true, true, false, false], accepted);
        Assert.Equal(2, queue.DroppedCount);
        Assert.Equal(["t0", "t1", "t2"], queue.TakeBatch(10).Select(t => t.Root.DisplayName));
    }

    [Fact]
    public void FullQueue_IsLoggedOnce_AndRecovery_OnceWithTheDroppedCount()
    {
        var logs = new CapturingLoggerProvider();
        var clock = new FixedTimeProvider(Start);
        var queue = new ExportQueue(1, logs.CreateLogger("TraceMiddleware"), clock);
        queue.TryEnqueue(Tx("kept"));
        for (var i = 0; i < 7; i++)
        {
            queue.TryEnqueue(Tx("dropped"));
        }

        queue.TakeBatch(1);
        queue.TryEnqueue(Tx("accepted again"));
        clock.Now += StateChangeLogLimiter.Interval;
        queue.TryEnqueue(Tx("dropped again"));

        var full = logs.WithEventId(2001);
        Assert.Equal(2, full.Count);
        Assert.Contains("full (1 transactions)", full[0].Message, StringComparison.Ordinal);
        var recovered = Assert.Single(logs.WithEventId(2002));
        Assert.Contains("7 transactions were dropped", recovered.Message, StringComparison.Ordinal);
        Assert.Equal(8, queue.DroppedCount);
    }

    [Fact]
    public void QueueFillingAndDrainingForTenSeconds_LogsOnePairWithCounts()
    {
        // Arrange: a one-place queue that fills and drains every 30 ms, as under sustained overload.
        var logs = new CapturingLoggerProvider();
        var clock = new FixedTimeProvider(Start);
        var queue = new ExportQueue(1, logs.CreateLogger("TraceMiddleware"), clock);

        // Act: 340 spells within the interval, then one more after it.
        for (var i = 0; i < 340; i++)
        {
            Flap(queue);
            clock.Now += TimeSpan.FromMilliseconds(29);
        }

        var pairWithinTheInterval = (logs.Count(2001), logs.Count(2002));
        clock.Now = Start + StateChangeLogLimiter.Interval;
        Flap(queue);
        queue.TryEnqueue(Tx("accepted"));

        // Assert: one pair per interval; the second recovery line counts every spell since the first, and every drop.
        Assert.Equal((1, 1), pairWithinTheInterval);
        Assert.Equal(2, logs.Count(2001));
        var recovered = logs.WithEventId(2002);
        Assert.Equal(2, recovered.Count);
        Assert.Contains("1 transactions were dropped while it was full (times full since the last report: 1)", recovered[0].Message, StringComparison.Ordinal);
        Assert.Contains("340 transactions were dropped while it was full (times full since the last report: 340)", recovered[1].Message, StringComparison.Ordinal);
        Assert.Equal(341, queue.DroppedCount);

        static void Flap(ExportQueue queue)
        {
            queue.TryEnqueue(Tx("fills"));
            queue.TryEnqueue(Tx("dropped"));
            queue.TakeBatch(1);
        }
    }

    [Fact]
    public void QueueFullAgainSoonAfterAPair_StaysFull_IsLoggedOnceTheIntervalHasPassed()
    {
        // Arrange: a logged pair, then a fill within the interval that lasts.
        var logs = new CapturingLoggerProvider();
        var clock = new FixedTimeProvider(Start);
        var queue = new ExportQueue(1, logs.CreateLogger("TraceMiddleware"), clock);
        queue.TryEnqueue(Tx("fills"));
        queue.TryEnqueue(Tx("dropped"));
        queue.TakeBatch(1);
        queue.TryEnqueue(Tx("fills again"));
        queue.TryEnqueue(Tx("dropped while the log says it accepts"));
        var fullLinesBefore = logs.Count(2001);

        // Act: still full once the interval has passed.
        clock.Now += StateChangeLogLimiter.Interval;
        queue.TryEnqueue(Tx("dropped later"));
        queue.TryEnqueue(Tx("dropped later still"));

        // Assert
        Assert.Equal(1, fullLinesBefore);
        Assert.Equal(2, logs.Count(2001));
        Assert.Equal(1, logs.Count(2002));
    }

    [Fact]
    public void NoDrops_NothingIsLogged()
    {
        var logs = new CapturingLoggerProvider();
        var queue = new ExportQueue(10, logs.CreateLogger("TraceMiddleware"));

        for (var i = 0; i < 10; i++)
        {
            queue.TryEnqueue(Tx("t"));
            queue.TakeBatch(1);
        }

        Assert.Empty(logs.Entries);
    }

    [Theory]
    [InlineData(7, 3, 3)]
    [InlineData(2, 3, 2)]
    [InlineData(0, 3, 0)]
    [InlineData(5, 1, 1)]
    public void TakeBatch_TakesAtMostMax_OrWhatIsThere(int queued, int max, int expected)
    {
        var queue = new ExportQueue(100, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        for (var i = 0; i < queued; i++)
        {
            queue.TryEnqueue(Tx("t" + i));
        }

        var batch = queue.TakeBatch(max);

        Assert.Equal(expected, batch.Length);
        Assert.Equal(queued - expected, queue.Count);
    }

    [Fact]
    public void AfterComplete_TransactionsAreRefused_CountedApart_AndNotReportedAsAFullQueue()
    {
        var logs = new CapturingLoggerProvider();
        var queue = new ExportQueue(10, logs.CreateLogger("TraceMiddleware"));
        queue.TryEnqueue(Tx("before"));

        queue.Complete();
        var accepted = queue.TryEnqueue(Tx("after"));

        Assert.False(accepted);
        Assert.Equal(1, queue.DroppedAfterCompletionCount);
        Assert.Equal(0, queue.DroppedCount);
        Assert.Empty(logs.Entries);
        Assert.Equal("before", Assert.Single(queue.TakeBatch(10)).Root.DisplayName);
    }

    [Fact]
    public async Task ConcurrentWriters_AcceptedPlusDropped_IsEveryWrite()
    {
        var queue = new ExportQueue(500, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var accepted = 0;

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 250; i++)
            {
                if (queue.TryEnqueue(Tx("t")))
                {
                    Interlocked.Increment(ref accepted);
                }
            }
        })));

        Assert.Equal(500, accepted);
        Assert.Equal(1500, queue.DroppedCount);
        Assert.Equal(500, queue.Count);
    }
}
