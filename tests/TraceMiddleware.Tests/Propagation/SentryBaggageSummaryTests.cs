using TraceMiddleware.Propagation;

namespace TraceMiddleware.Tests.Propagation;

public class SentryBaggageSummaryTests
{
    private const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";

    // sample_rand is a number in [0, 1); anything else is not passed on, and the sampler gets none.
    [Theory]
    [InlineData("NaN")]
    [InlineData("1e400")]
    [InlineData("0x1")]
    [InlineData("-0.1")]
    [InlineData("1")]
    [InlineData("1.0")]
    [InlineData("Infinity")]
    [InlineData("0.5abc")]
    [InlineData("%200.5")]
    public void InvalidSampleRand_IsNotTheTracesSampleRand(string value)
    {
        var summary = SentryBaggageSummary.Read($"sentry-trace_id={TraceId},sentry-sample_rand={value},sentry-sampled=true");

        Assert.Null(summary.SampleRand);
        Assert.True(summary.HasInvalidSampleRand);
        Assert.True(summary.HasSentryMembers);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("0.5")]
    [InlineData("0.999999")]
    [InlineData("0.3276234201731898")]
    public void ValidSampleRand_IsKeptVerbatim(string value)
    {
        var summary = SentryBaggageSummary.Read($"sentry-sample_rand={value}");

        Assert.Equal(value, summary.SampleRand);
        Assert.False(summary.HasInvalidSampleRand);
    }

    [Fact]
    public void NoSampleRand_IsNeitherValidNorInvalid()
    {
        var summary = SentryBaggageSummary.Read($"sentry-trace_id={TraceId}");

        Assert.Null(summary.SampleRand);
        Assert.False(summary.HasInvalidSampleRand);
    }
}
