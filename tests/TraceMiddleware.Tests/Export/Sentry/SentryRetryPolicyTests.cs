using TraceMiddleware.Export.Sentry;

namespace TraceMiddleware.Tests.Export.Sentry;

/// <summary>The waits of the retry policy: the backoff between attempts and the wait before a probe.</summary>
public class SentryRetryPolicyTests
{
    [Theory]
    [InlineData(1, 0.0, 500)]
    [InlineData(1, 0.5, 750)]
    [InlineData(2, 0.0, 1000)]
    [InlineData(3, 0.5, 3000)]
    [InlineData(5, 0.0, 8000)]
    [InlineData(6, 0.5, 22500)]
    [InlineData(40, 0.0, 15000)]
    public void ProbeWait_DoublesFromOneSecondUpToTheMaximum_WithEqualJitter(int failures, double random, int expectedMilliseconds)
    {
        Assert.Equal(expectedMilliseconds, SentryRetryPolicy.ProbeWait(failures, random).TotalMilliseconds, 0.01);
    }

    [Theory]
    [InlineData(1, 0.0, 0)]
    [InlineData(1, 0.999, 499.5)]
    [InlineData(2, 0.5, 500)]
    [InlineData(3, 1.0, 2000)]
    [InlineData(10, 1.0, 30_000)]
    [InlineData(1000, 1.0, 30_000)]
    [InlineData(int.MaxValue, 0.5, 15_000)]
    public void Backoff_IsFullJitterUnderADoublingCappedCeiling(int retry, double random, double expectedMs)
    {
        var delay = SentryRetryPolicy.Backoff(retry, TimeSpan.FromMilliseconds(500), random);

        Assert.Equal(expectedMs, delay.TotalMilliseconds, precision: 6);
    }

    [Fact]
    public void Backoff_RandomSamples_StayWithinTheCeiling()
    {
        var random = new Random(7);
        for (var i = 0; i < 10_000; i++)
        {
            var retry = random.Next(1, 40);
            var delay = SentryRetryPolicy.Backoff(retry, TimeSpan.FromMilliseconds(500), random.NextDouble());
            var ceiling = Math.Min(500 * Math.Pow(2, retry - 1), SentryTransportOptions.MaxBackoff.TotalMilliseconds);
            Assert.InRange(delay.TotalMilliseconds, 0, ceiling);
        }
    }

    [Theory]
    [InlineData(nameof(SentryTransportState.Healthy), 3)]
    [InlineData(nameof(SentryTransportState.RateLimited), 3)]
    [InlineData(nameof(SentryTransportState.Rejected), 3)]
    [InlineData(nameof(SentryTransportState.Unreachable), 1)]
    public void Attempts_AreTheOptionsExceptOneToProbeAnUnreachableReceiver(string state, int expected)
    {
        var options = new SentryTransportOptions { MaxAttempts = 3 };

        Assert.Equal(expected, SentryRetryPolicy.Attempts(options, Enum.Parse<SentryTransportState>(state)));
    }
}
