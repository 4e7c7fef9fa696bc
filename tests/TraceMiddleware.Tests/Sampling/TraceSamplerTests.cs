using Microsoft.AspNetCore.Http;
using TraceMiddleware.Sampling;

namespace TraceMiddleware.Tests.Sampling;

public class TraceSamplerTests
{
    private static readonly Func<double> NoRandom = () => throw new InvalidOperationException("no random value should be drawn");

    private static SamplingRequest Head(double random, double? rate = null, Func<SamplingContext, double>? sampler = null, string? method = "GET") => new()
    {
        Name = "GET /orders/{id}",
        HttpMethod = method,
        TracesSampleRate = rate,
        TracesSampler = sampler,
        Random = () => random,
    };

    private static SamplingRequest Continued(
        bool? parentSampled,
        string? sampleRand = null,
        string? sampleRate = null,
        double? rate = null,
        Func<SamplingContext, double>? sampler = null,
        Func<double>? random = null,
        string? method = "GET") => new()
    {
        Name = "GET /orders/{id}",
        HttpMethod = method,
        HasIncomingTrace = true,
        ParentSampled = parentSampled,
        IncomingSampleRand = sampleRand,
        IncomingSampleRate = sampleRate,
        TracesSampleRate = rate,
        TracesSampler = sampler,
        Random = random ?? NoRandom,
    };

    [Fact]
    public void Decide_NoRateNoSamplerNoIncomingTrace_IsDeferred()
    {
        // Act
        var decision = TraceSampler.Decide(Head(0.42));

        // Assert
        Assert.Null(decision.Sampled);
        Assert.Null(decision.SampleRate);
        Assert.Equal(0.42, decision.SampleRand);
        Assert.Null(decision.IncomingSampleRand);
        Assert.Equal("0.42", decision.FormatSampleRand());
        Assert.Equal(SamplingDecisionSource.Deferred, decision.Source);
    }

    [Theory]
    [InlineData(0.5, 0.3, true)]
    [InlineData(0.5, 0.7, false)]
    [InlineData(0.5, 0.5, false)]
    [InlineData(0.5, 0.499999, true)]
    [InlineData(0.0, 0.0, false)]
    [InlineData(0.0, 0.5, false)]
    [InlineData(1.0, 0.0, true)]
    [InlineData(1.0, 0.999999, true)]
    [InlineData(0.000001, 0.0, true)]
    [InlineData(0.000001, 0.000001, false)]
    [InlineData(0.999999, 0.999999, false)]
    public void Decide_TracesSampleRate_SamplesWhenSampleRandIsStrictlyBelowRate(double rate, double sampleRand, bool expected)
    {
        // Act
        var decision = TraceSampler.Decide(Head(sampleRand, rate));

        // Assert
        Assert.Equal(expected, decision.Sampled);
        Assert.Equal(rate, decision.SampleRate);
        Assert.Equal(sampleRand, decision.SampleRand);
        Assert.Equal(SamplingDecisionSource.TracesSampleRate, decision.Source);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(-0.1)]
    [InlineData(1.1)]
    [InlineData(double.PositiveInfinity)]
    public void Decide_InvalidTracesSampleRate_NeverSamples(double rate)
    {
        // Act
        var decision = TraceSampler.Decide(Head(0.0, rate));

        // Assert
        Assert.False(decision.Sampled);
        Assert.Null(decision.SampleRate);
        Assert.Equal(SamplingDecisionSource.TracesSampleRateInvalid, decision.Source);
    }

    [Theory]
    [InlineData(true, 0.0)]
    [InlineData(false, 1.0)]
    public void Decide_IncomingDecision_WinsOverTracesSampleRate(bool parentSampled, double rate)
    {
        // Act
        var decision = TraceSampler.Decide(Continued(parentSampled, sampleRand: "0.5", rate: rate));

        // Assert
        Assert.Equal(parentSampled, decision.Sampled);
        Assert.Null(decision.SampleRate);
        Assert.Equal(SamplingDecisionSource.Parent, decision.Source);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Decide_IncomingDecisionWithoutLocalConfig_IsInheritedForPropagation(bool parentSampled)
    {
        // Act
        var decision = TraceSampler.Decide(Continued(parentSampled, sampleRand: "0.5"));

        // Assert
        Assert.Equal(parentSampled, decision.Sampled);
        Assert.Null(decision.SampleRate);
        Assert.Equal("0.5", decision.IncomingSampleRand);
    }

    [Fact]
    public void Decide_IncomingDeferredWithoutLocalConfig_StaysDeferredAndKeepsSampleRand()
    {
        // Act
        var decision = TraceSampler.Decide(Continued(null, sampleRand: "0.3276234201731898"));

        // Assert
        Assert.Null(decision.Sampled);
        Assert.Equal(0.3276234201731898, decision.SampleRand);
        Assert.Equal("0.3276234201731898", decision.FormatSampleRand());
    }

    [Theory]
    [InlineData("0.3", 0.5, true)]
    [InlineData("0.7", 0.5, false)]
    [InlineData("0.5", 0.5, false)]
    [InlineData("0.4999999", 0.5, true)]
    [InlineData("0.999999999", 1.0, true)]
    [InlineData("0", 0.0, false)]
    public void Decide_IncomingDeferredWithLocalRate_ComparesIncomingSampleRand(string sampleRand, double rate, bool expected)
    {
        // Act
        var decision = TraceSampler.Decide(Continued(null, sampleRand: sampleRand, rate: rate));

        // Assert
        Assert.Equal(expected, decision.Sampled);
        Assert.Equal(rate, decision.SampleRate);
        Assert.Equal(sampleRand, decision.IncomingSampleRand);
        Assert.Equal(SamplingDecisionSource.TracesSampleRate, decision.Source);
    }

    [Fact]
    public void Decide_IncomingSampleRand_IsResentVerbatim()
    {
        // Arrange
        var request = Continued(true, sampleRand: "0.3276234201731898", sampleRate: "1");

        // Act
        var decision = TraceSampler.Decide(request);
        Span<char> buffer = stackalloc char[64];
        var ok = decision.TryFormatSampleRand(buffer, out var written);

        // Assert
        Assert.Equal(0.3276234201731898, decision.SampleRand);
        Assert.Equal("0.3276234201731898", decision.IncomingSampleRand);
        Assert.True(ok);
        Assert.Equal("0.3276234201731898", buffer[..written].ToString());
        Assert.False(decision.TryFormatSampleRand(new char[5], out var none));
        Assert.Equal(0, none);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("1.0")]
    [InlineData("-0.1")]
    [InlineData("NaN")]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData(" 0.5")]
    [InlineData(null)]
    public void Decide_InvalidIncomingSampleRand_IsDerivedFromIncomingDecision(string? sampleRand)
    {
        // Act
        var sampled = TraceSampler.Decide(Continued(true, sampleRand: sampleRand, sampleRate: "0.5", random: () => 0.5));
        var unsampled = TraceSampler.Decide(Continued(false, sampleRand: sampleRand, sampleRate: "0.25", random: () => 0.5));

        // Assert
        Assert.Equal(0.25, sampled.SampleRand);
        Assert.Null(sampled.IncomingSampleRand);
        Assert.Equal("0.25", sampled.FormatSampleRand());
        Assert.Equal(0.625, unsampled.SampleRand);
        Assert.Equal("0.625", unsampled.FormatSampleRand());
    }

    [Theory]
    [InlineData(true, null)]
    [InlineData(true, "0")]
    [InlineData(true, "1.5")]
    [InlineData(true, "abc")]
    [InlineData(null, "0.5")]
    public void Decide_NoDerivationPossible_DrawsRandomSampleRand(bool? parentSampled, string? sampleRate)
    {
        // Act
        var decision = TraceSampler.Decide(Continued(parentSampled, sampleRand: "1", sampleRate: sampleRate, random: () => 0.9));

        // Assert
        Assert.Equal(0.9, decision.SampleRand);
        Assert.Null(decision.IncomingSampleRand);
    }

    [Fact]
    public void Decide_RandomSource_IsNormalizedToTheSentValue()
    {
        // Act
        var decision = TraceSampler.Decide(Head(0.4999999, rate: 0.5));

        // Assert
        Assert.Equal(0.499999, decision.SampleRand);
        Assert.Equal("0.499999", decision.FormatSampleRand());
        Assert.True(decision.Sampled);
    }

    [Fact]
    public void Decide_NoIncomingTrace_IgnoresIncomingFields()
    {
        // Arrange
        var request = new SamplingRequest
        {
            Name = "GET /",
            HasIncomingTrace = false,
            ParentSampled = true,
            IncomingSampleRand = "0.1",
            IncomingSampleRate = "1",
            TracesSampleRate = 0.5,
            Random = () => 0.9,
        };

        // Act
        var decision = TraceSampler.Decide(request);

        // Assert
        Assert.False(decision.Sampled);
        Assert.Equal(0.9, decision.SampleRand);
        Assert.Null(decision.IncomingSampleRand);
        Assert.Equal(0.5, decision.SampleRate);
    }

    [Fact]
    public void Decide_NoRandomSource_DrawsGridValue()
    {
        // Arrange
        var request = new SamplingRequest { Name = "job", TracesSampleRate = 1 };

        for (var i = 0; i < 1_000; i++)
        {
            // Act
            var decision = TraceSampler.Decide(request);

            // Assert
            Assert.True(decision.Sampled);
            Assert.InRange(decision.SampleRand, 0.0, SampleRand.MaxValue);
            Assert.Equal(decision.SampleRand, SampleRand.Normalize(decision.SampleRand));
        }
    }

    [Theory]
    [InlineData(true, 0.0)]
    [InlineData(false, 1.0)]
    public void Decide_TracesSampler_WinsOverIncomingDecisionAndRate(bool parentSampled, double samplerRate)
    {
        // Act
        var decision = TraceSampler.Decide(Continued(parentSampled, sampleRand: "0.5", rate: parentSampled ? 1 : 0, sampler: _ => samplerRate));

        // Assert
        Assert.Equal(!parentSampled, decision.Sampled);
        Assert.Equal(samplerRate, decision.SampleRate);
        Assert.Equal(SamplingDecisionSource.TracesSampler, decision.Source);
    }

    [Theory]
    [InlineData(0.5, 0.3, true)]
    [InlineData(0.5, 0.5, false)]
    [InlineData(0.0, 0.0, false)]
    [InlineData(1.0, 0.999999, true)]
    public void Decide_TracesSamplerRate_ComparesSampleRandStrictly(double samplerRate, double sampleRand, bool expected)
    {
        // Act
        var decision = TraceSampler.Decide(Head(sampleRand, rate: 1 - samplerRate, sampler: _ => samplerRate));

        // Assert
        Assert.Equal(expected, decision.Sampled);
        Assert.Equal(samplerRate, decision.SampleRate);
    }

    [Fact]
    public void Decide_TracesSampler_SeesNameMethodParentAndHttpContext()
    {
        // Arrange
        SamplingContext? seen = null;
        var httpContext = new DefaultHttpContext();
        var request = new SamplingRequest
        {
            Name = "POST /orders",
            HttpMethod = "POST",
            HttpContext = httpContext,
            HasIncomingTrace = true,
            ParentSampled = false,
            IncomingSampleRand = "0.2",
            IncomingSampleRate = "0.25",
            TracesSampler = ctx =>
            {
                seen = ctx;
                return 1;
            },
        };

        // Act
        TraceSampler.Decide(request);

        // Assert
        Assert.NotNull(seen);
        Assert.Equal("POST /orders", seen.Name);
        Assert.Equal("POST", seen.HttpMethod);
        Assert.False(seen.ParentSampled);
        Assert.Equal(0.25, seen.ParentSampleRate);
        Assert.Same(httpContext, seen.HttpContext);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("abc", null)]
    [InlineData("1.5", null)]
    [InlineData("0", 0.0)]
    [InlineData("1", 1.0)]
    public void Decide_TracesSampler_SeesParentSampleRateOnlyWhenValid(string? sampleRate, double? expected)
    {
        // Arrange
        double? seen = -1;
        var request = Continued(true, sampleRand: "0.5", sampleRate: sampleRate, sampler: ctx =>
        {
            seen = ctx.ParentSampleRate;
            return 0;
        });

        // Act
        TraceSampler.Decide(request);

        // Assert
        Assert.Equal(expected, seen);
    }

    [Theory]
    [InlineData(true, null, 0.5, true, 1.0)]
    [InlineData(false, null, 0.0, false, 0.0)]
    [InlineData(null, "0.05", 0.0, true, 0.1)]
    [InlineData(null, "0.1", 0.0, false, 0.1)]
    public void Decide_SamplerThatInherits_FollowsParentAndSamplesNewTraces(bool? parentSampled, string? sampleRand, double random, bool expected, double expectedRate)
    {
        // Arrange
        Func<SamplingContext, double> inherit = ctx => ctx.ParentSampled is bool p ? (p ? 1 : 0) : 0.1;
        var request = new SamplingRequest
        {
            Name = "GET /",
            HasIncomingTrace = parentSampled is not null || sampleRand is not null,
            ParentSampled = parentSampled,
            IncomingSampleRand = sampleRand ?? "0.5",
            TracesSampler = inherit,
            Random = () => random,
        };

        // Act
        var decision = TraceSampler.Decide(request);

        // Assert
        Assert.Equal(expected, decision.Sampled);
        Assert.Equal(expectedRate, decision.SampleRate);
    }

    [Fact]
    public void Decide_SamplerThrows_IsNotSampledAndKeepsException()
    {
        // Arrange
        var failure = new InvalidOperationException("sampler bug");
        var request = Continued(true, sampleRand: "0.1", rate: 1, sampler: _ => throw failure);

        // Act
        var decision = TraceSampler.Decide(request);

        // Assert
        Assert.False(decision.Sampled);
        Assert.Null(decision.SampleRate);
        Assert.Equal("0.1", decision.IncomingSampleRand);
        Assert.Same(failure, decision.SamplerException);
        Assert.Equal(SamplingDecisionSource.TracesSamplerFailed, decision.Source);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(-0.000001)]
    [InlineData(1.000001)]
    [InlineData(2.0)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Decide_SamplerReturnsOutOfRange_IsNotSampled(double samplerRate)
    {
        // Act
        var decision = TraceSampler.Decide(Head(0.0, rate: 1, sampler: _ => samplerRate));

        // Assert
        Assert.False(decision.Sampled);
        Assert.Null(decision.SampleRate);
        Assert.Equal(samplerRate, decision.InvalidSamplerResult);
        Assert.Equal(SamplingDecisionSource.TracesSamplerInvalidResult, decision.Source);
    }

    [Theory]
    [InlineData("OPTIONS")]
    [InlineData("HEAD")]
    [InlineData("options")]
    [InlineData("Head")]
    public void Decide_OptionsOrHead_IsNeverSampled(string method)
    {
        // Arrange
        var samplerCalled = false;
        var request = Continued(true, sampleRand: "0.1", rate: 1, method: method, sampler: _ =>
        {
            samplerCalled = true;
            return 1;
        });

        // Act
        var decision = TraceSampler.Decide(request);

        // Assert
        Assert.False(decision.Sampled);
        Assert.Null(decision.SampleRate);
        Assert.False(samplerCalled);
        Assert.Equal("0.1", decision.IncomingSampleRand);
        Assert.Equal(SamplingDecisionSource.UnsampledHttpMethod, decision.Source);
    }

    [Fact]
    public void Decide_OptionsAtHeadWithoutConfig_StaysDeferred()
    {
        // Act: with tracing off the method rule does not apply, as in Sentry's SDKs.
        var decision = TraceSampler.Decide(Head(0.3, method: "OPTIONS"));

        // Assert
        Assert.Null(decision.Sampled);
        Assert.Equal(0.3, decision.SampleRand);
        Assert.Equal(SamplingDecisionSource.Deferred, decision.Source);
    }

    [Fact]
    public void Decide_CustomUnsampledMethods_ReplaceDefaults()
    {
        // Arrange
        string[] methods = ["TRACE"];

        // Act
        var options = TraceSampler.Decide(Head(0.0, rate: 1, method: "OPTIONS") with { UnsampledHttpMethods = methods });
        var trace = TraceSampler.Decide(Head(0.0, rate: 1, method: "trace") with { UnsampledHttpMethods = methods });

        // Assert
        Assert.True(options.Sampled);
        Assert.False(trace.Sampled);
    }

    [Fact]
    public void Decide_UnsampledMethodsAsSet_AreHonoured()
    {
        // Arrange
        var methods = new HashSet<string> { "PATCH" };

        // Act
        var patch = TraceSampler.Decide(Head(0.0, rate: 1, method: "patch") with { UnsampledHttpMethods = methods });
        var get = TraceSampler.Decide(Head(0.0, rate: 1, method: "GET") with { UnsampledHttpMethods = methods });

        // Assert
        Assert.False(patch.Sampled);
        Assert.True(get.Sampled);
    }

    [Fact]
    public void Decide_EmptyUnsampledMethods_SamplesEveryMethod()
    {
        // Act
        var decision = TraceSampler.Decide(Head(0.0, rate: 1, method: "HEAD") with { UnsampledHttpMethods = [] });

        // Assert
        Assert.True(decision.Sampled);
    }

    [Fact]
    public void Decide_NoHttpMethod_SkipsMethodRule()
    {
        // Act
        var decision = TraceSampler.Decide(Head(0.0, rate: 1, method: null));

        // Assert
        Assert.True(decision.Sampled);
    }

    [Fact]
    public void SamplingDefaults_UnsampledHttpMethods_AreOptionsAndHead()
    {
        // Act
        var methods = SamplingDefaults.UnsampledHttpMethods;

        // Assert
        Assert.Equal(["OPTIONS", "HEAD"], methods);
        Assert.Throws<NotSupportedException>(() => ((IList<string>)methods).Add("GET"));
    }
}
