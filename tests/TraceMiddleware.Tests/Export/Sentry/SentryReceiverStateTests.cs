using TraceMiddleware.Export;
using TraceMiddleware.Export.Sentry;
using TraceMiddleware.Testing;

namespace TraceMiddleware.Tests.Export.Sentry;

/// <summary>The receiver's changes of state are logged once each, and at most one problem and its recovery per interval.</summary>
public sealed class SentryReceiverStateTests
{
    private static readonly DateTimeOffset Start = new(2030, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly Uri Endpoint = new("https://o1.ingest.example/api/42/envelope/");

    private readonly FixedTimeProvider _clock = new(Start);
    private readonly CapturingLoggerProvider _logs = new();

    private SentryReceiverState NewState() => new(Endpoint, _logs.CreateLogger("TraceMiddleware.Sentry"), _clock);

    [Fact]
    public void ReceiverAlternatingRejectAndAccept_LogsOnePairPerInterval_WithCounts()
    {
        // Arrange: a receiver behind a balancer that answers 307 and 200 in turn.
        var state = NewState();

        // Act: 300 turns within the interval, one after it.
        for (var i = 0; i < 300; i++)
        {
            Turn(state);
            _clock.Now += TimeSpan.FromMilliseconds(30);
        }

        var withinTheInterval = (_logs.Count(3004), _logs.Count(3003));
        _clock.Now = Start + StateChangeLogLimiter.Interval;
        Turn(state);

        // Assert
        Assert.Equal((1, 1), withinTheInterval);
        Assert.Equal(2, _logs.Count(3004));
        var recovered = _logs.WithEventId(3003);
        Assert.Equal(2, recovered.Count);
        Assert.Contains("1 transactions were dropped meanwhile (problems since the last report: 1)", recovered[0].Message, StringComparison.Ordinal);
        Assert.Contains("300 transactions were dropped meanwhile (problems since the last report: 300)", recovered[1].Message, StringComparison.Ordinal);
        Assert.Equal(301, state.DroppedCount);
        Assert.Equal(301, state.DeliveredCount);

        static void Turn(SentryReceiverState state)
        {
            state.EnterRejected(307);
            state.Drop(1);
            state.OnAccepted(null, state.Version);
        }
    }

    [Fact]
    public void ReceiverDownAgainSoonAfterRecovering_IsLoggedOnceTheIntervalHasPassed()
    {
        // Arrange: down and back (a logged pair), then down again at once, for good.
        var state = NewState();
        state.EnterUnreachable("connection refused");
        state.OnAccepted(null, state.Version);
        state.EnterUnreachable("connection refused again");
        var linesBefore = _logs.Count(3001);

        // Act
        state.ReportLateChange();
        var linesWithinTheInterval = _logs.Count(3001);
        _clock.Now += StateChangeLogLimiter.Interval;
        state.ReportLateChange();
        state.ReportLateChange();

        // Assert
        Assert.Equal(1, linesBefore);
        Assert.Equal(1, linesWithinTheInterval);
        var lines = _logs.WithEventId(3001);
        Assert.Equal(2, lines.Count);
        Assert.Contains("connection refused again", lines[1].Message, StringComparison.Ordinal);
    }
}
