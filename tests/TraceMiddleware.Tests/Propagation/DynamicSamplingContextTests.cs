using System.Diagnostics;
using Microsoft.Extensions.Primitives;
using TraceMiddleware.Propagation;

namespace TraceMiddleware.Tests.Propagation;

public class DynamicSamplingContextTests
{
    private static readonly ActivityTraceId RealTraceId =
        ActivityTraceId.CreateFromString("dcdb093f8f9441fdadcece0f4620f134");

    [Fact]
    public void FromBaggageThenToBaggage_RealJsHeader_RoundTripsByteForByte()
    {
        var dsc = DynamicSamplingContext.FromBaggage(Baggage.Parse(BaggageTests.RealJsHeader));

        Assert.Equal(BaggageTests.RealJsHeader, dsc.ToBaggage().ToString());
        Assert.Equal(BaggageTests.RealJsHeader, dsc.ToString());
    }

    [Fact]
    public void FromBaggage_RealJsHeader_ExposesEveryField()
    {
        var dsc = DynamicSamplingContext.FromBaggage(Baggage.Parse(BaggageTests.RealJsHeader));

        Assert.False(dsc.IsEmpty);
        Assert.Equal("dev", dsc.Environment);
        Assert.Equal("shop@1.2.3", dsc.Release);
        Assert.Equal("abc123", dsc.PublicKey);
        Assert.Equal("dcdb093f8f9441fdadcece0f4620f134", dsc.TraceId);
        Assert.Equal("checkout", dsc.Transaction);
        Assert.Equal("true", dsc.Sampled);
        Assert.Equal("0.3276234201731898", dsc.SampleRand);
        Assert.Equal("1", dsc.SampleRate);
        Assert.Null(dsc.OrgId);
        Assert.Null(dsc.ReplayId);
        Assert.Equal("environment", dsc.Entries[0].Key);
        Assert.Equal("sample_rate", dsc.Entries[^1].Key);
    }

    [Fact]
    public void FromBaggage_KeepsUnknownSentryKeysAndDropsThirdPartyOnes()
    {
        var baggage = Baggage.Parse("a=1,sentry-org_id=7,sentry-replay_id=r,sentry-future_field=x%20y,b=2,sentry-=odd");

        var dsc = DynamicSamplingContext.FromBaggage(baggage);

        Assert.Equal(
            [new("org_id", "7"), new("replay_id", "r"), new("future_field", "x y"), new(string.Empty, "odd")],
            dsc.Entries);
        Assert.Equal("7", dsc.OrgId);
        Assert.Equal("r", dsc.ReplayId);
        Assert.Equal("x y", dsc["future_field"]);
        Assert.Equal("sentry-org_id=7,sentry-replay_id=r,sentry-future_field=x%20y,sentry-=odd", dsc.ToString());
    }

    [Fact]
    public void FromBaggage_NoSentryMembers_IsEmptyAndSendsNothing()
    {
        var dsc = DynamicSamplingContext.FromBaggage(Baggage.Parse("a=1,Sentry-x=2"));

        Assert.True(dsc.IsEmpty);
        Assert.Empty(dsc.Entries);
        Assert.Same(Baggage.Empty, dsc.ToBaggage());
        Assert.Equal(string.Empty, dsc.ToString());
    }

    [Fact]
    public void FromBaggage_ValuesAreNotNormalised()
    {
        var dsc = DynamicSamplingContext.FromBaggage(Baggage.Parse("sentry-sampled=TRUE,sentry-sample_rate=1.0,sentry-environment=%20x"));

        Assert.Equal("TRUE", dsc.Sampled);
        Assert.Equal("1.0", dsc.SampleRate);
        Assert.Equal(" x", dsc.Environment);
    }

    [Fact]
    public void FromBaggage_Null_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => DynamicSamplingContext.FromBaggage(null!));
    }

    [Fact]
    public void CreateHead_SameInputsAsTheJsPeer_ProducesTheRealJsHeader()
    {
        var dsc = DynamicSamplingContext.CreateHead(
            RealTraceId,
            publicKey: "abc123",
            release: "shop@1.2.3",
            environment: "dev",
            orgId: null,
            transaction: "checkout",
            sampled: true,
            sampleRand: "0.3276234201731898",
            sampleRate: 1);

        Assert.Equal(BaggageTests.RealJsHeader, dsc.ToString());
    }

    [Fact]
    public void CreateHead_OrgId_ComesRightAfterTraceId()
    {
        var dsc = DynamicSamplingContext.CreateHead(RealTraceId, "pk", "r", "prod", "17", "GET /orders/{id}", false, "0.5", 0.25);

        Assert.Equal(
            "sentry-environment=prod,sentry-release=r,sentry-public_key=pk,sentry-trace_id=dcdb093f8f9441fdadcece0f4620f134,"
            + "sentry-org_id=17,sentry-transaction=GET%20%2Forders%2F%7Bid%7D,sentry-sampled=false,sentry-sample_rand=0.5,sentry-sample_rate=0.25",
            dsc.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void CreateHead_NoEnvironment_DefaultsToProduction(string? environment)
    {
        var dsc = DynamicSamplingContext.CreateHead(RealTraceId, null, null, environment, null, null, null, null, null);

        Assert.Equal("production", dsc.Environment);
        Assert.Equal("sentry-environment=production,sentry-trace_id=dcdb093f8f9441fdadcece0f4620f134", dsc.ToString());
    }

    [Fact]
    public void CreateHead_EmptyValues_AreSkipped()
    {
        var dsc = DynamicSamplingContext.CreateHead(RealTraceId, "", "", "dev", "", "", null, "", null);

        Assert.Equal(["environment", "trace_id"], dsc.Entries.Select(e => e.Key));
        Assert.Null(dsc.Sampled);
        Assert.Null(dsc.SampleRate);
    }

    [Theory]
    [InlineData(1.0, "1")]
    [InlineData(0.0, "0")]
    [InlineData(0.25, "0.25")]
    [InlineData(0.1, "0.1")]
    [InlineData(0.3333333333333333, "0.3333333333333333")]
    [InlineData(0.000001, "0.000001")]
    [InlineData(0.0000015, "0.0000015")]
    [InlineData(0.0000001, "1e-7")]
    [InlineData(1.5e-7, "1.5e-7")]
    public void CreateHead_SampleRate_IsWrittenLikeJsNumberToString(double rate, string expected)
    {
        var dsc = DynamicSamplingContext.CreateHead(RealTraceId, null, null, null, null, null, null, null, rate);

        Assert.Equal(expected, dsc.SampleRate);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void CreateHead_NonFiniteSampleRate_IsLeftOut(double rate)
    {
        var dsc = DynamicSamplingContext.CreateHead(RealTraceId, null, null, null, null, null, null, null, rate);

        Assert.Null(dsc.SampleRate);
    }

    [Theory]
    [InlineData(1.0, "1")]
    [InlineData(-0.0, "0")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(123.0, "123")]
    [InlineData(1e20, "100000000000000000000")]
    [InlineData(1e21, "1e+21")]
    [InlineData(1.2345e25, "1.2345e+25")]
    [InlineData(0.30000000000000004, "0.30000000000000004")]
    [InlineData(5e-324, "5e-324")]
    [InlineData(1.7976931348623157e308, "1.7976931348623157e+308")]
    [InlineData(12.5, "12.5")]
    [InlineData(0.00001, "0.00001")]
    public void FormatJsNumber_MatchesEcmaScriptNumberToString(double value, string expected)
    {
        Assert.Equal(expected, DynamicSamplingContext.FormatJsNumber(value));
    }

    [Fact]
    public void WithSampleRand_Absent_IsAppendedAtTheEnd()
    {
        var dsc = DynamicSamplingContext.FromBaggage(Baggage.Parse("sentry-trace_id=abc,sentry-sampled=true"));

        var filled = dsc.WithSampleRand("0.123456");

        Assert.Equal("sentry-trace_id=abc,sentry-sampled=true,sentry-sample_rand=0.123456", filled.ToString());
        Assert.Null(dsc.SampleRand);
    }

    [Fact]
    public void WithSampleRand_Present_KeepsTheIncomingValue()
    {
        var dsc = DynamicSamplingContext.FromBaggage(Baggage.Parse(BaggageTests.RealJsHeader));

        var filled = dsc.WithSampleRand("0.9");

        Assert.Same(dsc, filled);
        Assert.Equal("0.3276234201731898", filled.SampleRand);
    }

    // A frozen DSC forwards only a sample_rand that is a number in [0, 1); in the place of any other, the
    // value this service decided with, so the next service decides with the same number.
    [Theory]
    [InlineData("NaN")]
    [InlineData("1e400")]
    [InlineData("0x1")]
    [InlineData("-0.1")]
    [InlineData("1")]
    public void WithSampleRand_InvalidIncomingValue_IsReplacedInPlace(string invalid)
    {
        var dsc = DynamicSamplingContext.FromBaggage(Baggage.Parse($"sentry-trace_id=abc,sentry-sample_rand={invalid},sentry-sampled=true"));

        var filled = dsc.WithSampleRand("0.123456");

        Assert.Equal("sentry-trace_id=abc,sentry-sample_rand=0.123456,sentry-sampled=true", filled.ToString());
    }

    [Theory]
    [InlineData("sentry-trace_id=abc,sentry-sample_rand=NaN,sentry-sampled=true", "sentry-trace_id=abc,sentry-sample_rand=0.25,sentry-sampled=true")]
    [InlineData("sentry-trace_id=abc,sentry-sample_rand=1e400", "sentry-trace_id=abc,sentry-sample_rand=0.25")]
    [InlineData("sentry-sample_rand=0x1,vendor=a,sentry-trace_id=abc", "sentry-sample_rand=0.25,sentry-trace_id=abc")]
    [InlineData("sentry-trace_id=abc", "sentry-trace_id=abc,sentry-sample_rand=0.25")]
    public void FromRawBaggage_WithoutAValidSampleRand_FillsInTheOneThisServiceUses(string incoming, string expected)
    {
        StringValues raw = incoming;
        var summary = SentryBaggageSummary.Read(raw);

        var dsc = DynamicSamplingContext.FromRawBaggage(raw, summary, "0.25");

        Assert.Null(summary.SampleRand);
        Assert.Equal(expected, dsc.ToString());
        Assert.Equal("0.25", dsc.SampleRand);
    }

    [Fact]
    public void WithSampleRand_EmptyFrozenDsc_StaysEmpty()
    {
        var filled = DynamicSamplingContext.Empty.WithSampleRand("0.5");

        Assert.True(filled.IsEmpty);
        Assert.Null(Baggage.BuildOutgoing(null, filled, null));
    }

    [Fact]
    public void WithSampleRand_Null_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => DynamicSamplingContext.Empty.WithSampleRand(null!));
    }

    [Fact]
    public void Indexer_UsesKeysWithoutThePrefix()
    {
        var dsc = DynamicSamplingContext.FromBaggage(Baggage.Parse("sentry-release=r"));

        Assert.Equal("r", dsc["release"]);
        Assert.Null(dsc["sentry-release"]);
        Assert.Null(dsc["Release"]);
    }

    [Fact]
    public void ToBaggage_IsTheSentryMembersOfTheIncomingBaggage()
    {
        var incoming = Baggage.Parse("a=1,sentry-trace_id=t,b=2,sentry-sampled=false");

        var baggage = DynamicSamplingContext.FromBaggage(incoming).ToBaggage();

        Assert.Equal(incoming.SentryMembers().ToString(), baggage.ToString());
        Assert.All(baggage, m => Assert.True(m.IsSentry));
    }
}
