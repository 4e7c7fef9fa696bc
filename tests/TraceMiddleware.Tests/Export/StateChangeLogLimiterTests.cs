using TraceMiddleware.Export;
using TraceMiddleware.Tests.Export.Sentry;

namespace TraceMiddleware.Tests.Export;

/// <summary>At most one problem line and its recovery per interval, whatever the state does in between.</summary>
public sealed class StateChangeLogLimiterTests
{
    private readonly FixedTimeProvider _clock = new(new DateTimeOffset(2030, 6, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void OneProblemAndItsRecovery_AreBothLogged()
    {
        var limiter = new StateChangeLogLimiter(_clock);

        var problem = limiter.OnProblem();
        var recovery = limiter.OnRecovered(out var problems);

        Assert.True(problem);
        Assert.True(recovery);
        Assert.Equal(1, problems);
    }

    [Fact]
    public void Flapping_WithinTheInterval_OnlyTheFirstPairIsLogged_AndTheNextCountsTheRest()
    {
        // Arrange
        var limiter = new StateChangeLogLimiter(_clock);
        var logged = 0;

        // Act: 340 spells within the interval, then one after it.
        for (var i = 0; i < 340; i++)
        {
            logged += limiter.OnProblem() ? 1 : 0;
            logged += limiter.OnRecovered(out _) ? 1 : 0;
            _clock.Now += TimeSpan.FromMilliseconds(25);
        }

        _clock.Now += StateChangeLogLimiter.Interval;
        var nextProblem = limiter.OnProblem();
        var nextRecovery = limiter.OnRecovered(out var problems);

        // Assert
        Assert.Equal(2, logged);
        Assert.True(nextProblem);
        Assert.True(nextRecovery);
        Assert.Equal(340, problems);
    }

    [Fact]
    public void ProblemTooSoonThatLasts_IsLoggedLateOnceTheIntervalHasPassed()
    {
        // Arrange: a pair, then a problem within the interval that does not end.
        var limiter = new StateChangeLogLimiter(_clock);
        limiter.OnProblem();
        limiter.OnRecovered(out _);
        _clock.Now += TimeSpan.FromSeconds(1);
        var onTime = limiter.OnProblem();

        // Act
        _clock.Now += StateChangeLogLimiter.Interval - TimeSpan.FromSeconds(1) - TimeSpan.FromTicks(1);
        var tooEarly = limiter.ShouldLogLateProblem();
        _clock.Now += TimeSpan.FromTicks(1);
        var late = limiter.ShouldLogLateProblem();
        var again = limiter.ShouldLogLateProblem();

        // Assert: logged once, late; its recovery is then owed.
        Assert.False(onTime);
        Assert.False(tooEarly);
        Assert.True(late);
        Assert.False(again);
        Assert.True(limiter.OnRecovered(out var problems));
        Assert.Equal(1, problems);
    }

    [Fact]
    public void RecoveryOfAProblemNotLogged_IsNotLogged()
    {
        var limiter = new StateChangeLogLimiter(_clock);
        limiter.OnProblem();
        limiter.OnRecovered(out _);

        limiter.OnProblem();
        var recovery = limiter.OnRecovered(out _);

        Assert.False(recovery);
        Assert.False(limiter.ShouldLogLateProblem());
    }
}
