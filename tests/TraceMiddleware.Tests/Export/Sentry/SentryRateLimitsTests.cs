using TraceMiddleware.Export.Sentry;
using TraceMiddleware.Testing;

namespace TraceMiddleware.Tests.Export.Sentry;

public class SentryRateLimitsTests
{
    private const int Iterations = 12_000;

    private static readonly DateTimeOffset Now = new(2030, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("60:transaction:key", 60)]
    [InlineData("60::organization", 60)]
    [InlineData("60", 60)]
    [InlineData("60:", 60)]
    [InlineData("2700:default;error;security:organization", 0)]
    [InlineData("30:error:org, 120:transaction:project", 120)]
    [InlineData("120:transaction:project, 30:error:org", 120)]
    [InlineData("30:transaction:key, 90::org", 90)]
    [InlineData("90:error;transaction;attachment:key", 90)]
    [InlineData("90:Transaction:key", 90)]
    [InlineData("90: error ; transaction :key", 90)]
    [InlineData("1.5:transaction:key", 1.5)]
    [InlineData("0:transaction:key", 0)]
    [InlineData("abc:transaction:key", 60)]
    [InlineData(":transaction:key", 60)]
    [InlineData("-5:transaction:key", 60)]
    [InlineData("NaN:transaction:key", 60)]
    [InlineData("1e3:transaction:key", 60)]
    [InlineData("99999999999999999999:transaction", SentryRateLimits.MaxRetryAfterSeconds)]
    [InlineData("60:transaction:organization:quota_exceeded", 60)]
    [InlineData("60:metric_bucket:organization:quota_exceeded:custom", 0)]
    [InlineData("60:span:organization", 0)]
    [InlineData(" 60:transaction:key ,", 60)]
    [InlineData(",,60:transaction", 60)]
    [InlineData("garbage", 60)]
    public void TryParse_SentryRateLimits_GivesTheDelayForTransactions(string header, double seconds)
    {
        var ok = SentryRateLimits.TryParse(header, out var delay);

        Assert.True(ok);
        Assert.Equal(TimeSpan.FromSeconds(seconds), delay);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(",")]
    [InlineData(" , ,")]
    public void TryParse_NoEntries_DecidesNothing(string header)
    {
        var ok = SentryRateLimits.TryParse(header, out var delay);

        Assert.False(ok);
        Assert.Equal(TimeSpan.Zero, delay);
    }

    [Theory]
    [InlineData("120", 120)]
    [InlineData(" 30 ", 30)]
    [InlineData("0", 0)]
    [InlineData("000060", 60)]
    [InlineData("0000000000060", 60)]
    [InlineData("86400", 86_400)]
    [InlineData("86401", SentryRateLimits.MaxRetryAfterSeconds)]
    [InlineData("99999999999999999999999", SentryRateLimits.MaxRetryAfterSeconds)]
    [InlineData("Sat, 01 Jun 2030 12:02:00 GMT", 120)]
    [InlineData("Saturday, 01-Jun-30 12:00:45 GMT", 45)]
    [InlineData("Sat Jun  1 12:00:10 2030", 10)]
    [InlineData("Sat, 01 Jun 2030 11:00:00 GMT", 0)]
    [InlineData("Fri, 01 Jun 2040 12:00:00 GMT", SentryRateLimits.MaxRetryAfterSeconds)]
    public void TryParseRetryAfter_SecondsOrHttpDate_GivesTheDelay(string header, double seconds)
    {
        var ok = SentryRateLimits.TryParseRetryAfter(header, Now, out var delay);

        Assert.True(ok);
        Assert.Equal(TimeSpan.FromSeconds(seconds), delay);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("+30")]
    [InlineData("soon")]
    [InlineData("Sat, 01 Jun 2030 12:02:00")]
    [InlineData("2030-06-01T12:02:00Z")]
    [InlineData("Sat, 32 Jun 2030 12:02:00 GMT")]
    public void TryParseRetryAfter_Garbage_IsNotADelay(string header)
    {
        var ok = SentryRateLimits.TryParseRetryAfter(header, Now, out var delay);

        Assert.False(ok);
        Assert.Equal(TimeSpan.Zero, delay);
    }

    [Theory]
    [InlineData(429, "30:transaction:key", "120", 30)]
    [InlineData(429, "30:error:key", "120", 0)]
    [InlineData(200, "30:transaction:key", null, 30)]
    [InlineData(500, "30::key", null, 30)]
    [InlineData(429, null, "120", 120)]
    [InlineData(503, null, "120", 120)]
    [InlineData(200, null, "Sat, 01 Jun 2030 12:01:00 GMT", 60)]
    [InlineData(429, null, null, 60)]
    [InlineData(429, "", "", 60)]
    [InlineData(429, null, "soon", 60)]
    [InlineData(200, null, null, 0)]
    [InlineData(500, null, null, 0)]
    [InlineData(413, null, "soon", 0)]
    public void ForTransactions_FollowsTheHeaderPrecedence(int status, string? rateLimits, string? retryAfter, double seconds)
    {
        var delay = SentryRateLimits.ForTransactions(status, rateLimits, retryAfter, Now);

        Assert.Equal(TimeSpan.FromSeconds(seconds), delay);
    }

    [Fact]
    public void Parsers_RandomAndNearMissInputs_NeverThrowAndStayWithinTheLimit()
    {
        var random = new Random(20_251_122);
        var seeds = new[]
        {
            "60:transaction:key", "2700:default;error;security:organization, 30::org", "1.5:transaction",
            "120", "Sat, 01 Jun 2030 12:02:00 GMT", "Sat Jun  1 12:00:10 2030",
        };
        var max = TimeSpan.FromSeconds(SentryRateLimits.MaxRetryAfterSeconds);
        var limited = 0;
        var dates = 0;

        for (var i = 0; i < Iterations; i++)
        {
            var input = i % 3 == 0 ? RandomText(random) : Mutate(random, seeds[random.Next(seeds.Length)]);

            var parsed = SentryRateLimits.TryParse(input, out var limit);
            var retry = SentryRateLimits.TryParseRetryAfter(input, Now, out var retryAfter);
            var combined = SentryRateLimits.ForTransactions(429, input, input, Now);

            Assert.InRange(limit, TimeSpan.Zero, max);
            Assert.InRange(retryAfter, TimeSpan.Zero, max);
            Assert.InRange(combined, TimeSpan.Zero, max);
            Assert.True(parsed || limit == TimeSpan.Zero, input);
            Assert.True(retry || retryAfter == TimeSpan.Zero, input);
            Assert.Equal(parsed ? limit : retry ? retryAfter : TimeSpan.FromSeconds(60), combined);
            Assert.Equal(parsed, SentryRateLimits.TryParse(input, out var again) && again == limit);
            limited += limit > TimeSpan.Zero ? 1 : 0;
            dates += retry && !input.Trim().All(char.IsAsciiDigit) ? 1 : 0;
        }

        Assert.True(limited > 100, $"only {limited} limits");
        Assert.True(dates > 10, $"only {dates} dates");
    }

    private static string RandomText(Random random) => FuzzText.Random(random, "0123456789:;, .-transactiondefaulrGMTSatJun\t\u00e9\ud800\u0660e", 40);

    private static string Mutate(Random random, string seed) => FuzzText.Mutate(random, seed, "0:;, .-9x\u0660", 3);
}
