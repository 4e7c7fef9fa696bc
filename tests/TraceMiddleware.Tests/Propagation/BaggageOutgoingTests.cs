using TraceMiddleware.Propagation;

namespace TraceMiddleware.Tests.Propagation;

public class BaggageOutgoingTests
{
    private static readonly DynamicSamplingContext Dsc =
        DynamicSamplingContext.FromBaggage(Baggage.Parse("sentry-trace_id=abc,sentry-release=r%401"));

    [Fact]
    public void BuildOutgoing_NothingToSend_ReturnsNull()
    {
        Assert.Null(Baggage.BuildOutgoing(null, null, null));
        Assert.Null(Baggage.BuildOutgoing("", DynamicSamplingContext.Empty, Baggage.Empty));
        Assert.Null(Baggage.BuildOutgoing("junk,=x,k=%zz", null, null));
    }

    [Fact]
    public void BuildOutgoing_DscOnly_WritesTheSentryMembers()
    {
        var result = Baggage.BuildOutgoing(null, Dsc, null);

        Assert.Equal("sentry-trace_id=abc,sentry-release=r%401", result);
    }

    [Fact]
    public void BuildOutgoing_RealJsDsc_IsWrittenByteForByte()
    {
        var dsc = DynamicSamplingContext.FromBaggage(Baggage.Parse(BaggageTests.RealJsHeader));

        Assert.Equal(BaggageTests.RealJsHeader, Baggage.BuildOutgoing(null, dsc, null));
    }

    [Fact]
    public void BuildOutgoing_AppBaggageAndDsc_AppMembersFirstThenDsc()
    {
        var result = Baggage.BuildOutgoing("userId=42,tenant=acme", Dsc, null);

        Assert.Equal("userId=42,tenant=acme,sentry-trace_id=abc,sentry-release=r%401", result);
    }

    [Fact]
    public void BuildOutgoing_AppSentryMembersWithDsc_AreReplacedByTheDsc()
    {
        var result = Baggage.BuildOutgoing("sentry-trace_id=old,a=1,sentry-other=x", Dsc, null);

        Assert.Equal("a=1,sentry-trace_id=abc,sentry-release=r%401", result);
    }

    [Fact]
    public void BuildOutgoing_AppSentryMembersSpelledWithEscapes_AreStillReplaced()
    {
        var result = Baggage.BuildOutgoing("%73entry-trace_id=old,a=1", Dsc, null);

        Assert.Equal("a=1,sentry-trace_id=abc,sentry-release=r%401", result);
    }

    [Fact]
    public void BuildOutgoing_AppSentryMembersWithoutDsc_AreKept()
    {
        var result = Baggage.BuildOutgoing("sentry-trace_id=old,a=1", null, null);

        Assert.Equal("sentry-trace_id=old,a=1", result);
        Assert.Equal("sentry-trace_id=old,a=1", Baggage.BuildOutgoing("sentry-trace_id=old,a=1", DynamicSamplingContext.Empty, null));
    }

    [Theory]
    [InlineData("k=a%2Fb")]
    [InlineData("k=v;prop=1")]
    [InlineData("k=v; p ; q=2")]
    [InlineData("mail=a@b.c")]
    [InlineData("k=%c3%a9")]
    [InlineData("k=a+b")]
    public void BuildOutgoing_PlainAsciiAppMember_KeepsItsRawText(string app)
    {
        var result = Baggage.BuildOutgoing(app, Dsc, null);

        Assert.Equal(app + ",sentry-trace_id=abc,sentry-release=r%401", result);
    }

    [Fact]
    public void BuildOutgoing_AppOptionalWhitespace_IsTrimmed()
    {
        var result = Baggage.BuildOutgoing(" a = 1 ,\tb=2\t", null, null);

        Assert.Equal("a=1,b=2", result);
    }

    [Fact]
    public void BuildOutgoing_InvalidAppMembers_AreDropped()
    {
        var result = Baggage.BuildOutgoing("a=1,broken,b=%zz,=x,c=,d=2", Dsc, null);

        Assert.Equal("a=1,d=2,sentry-trace_id=abc,sentry-release=r%401", result);
    }

    [Theory]
    [InlineData("k=café", "k=caf%C3%A9")]
    [InlineData("k=a\rb", "k=a%0Db")]
    [InlineData("k=a\nb", "k=a%0Ab")]
    [InlineData("k=a\u0001b;p", "k=a%01b%3Bp")]
    [InlineData("k=a\tb", "k=a%09b")]
    [InlineData("k\u007f=v", "k%7F=v")]
    public void BuildOutgoing_AppMemberWithControlOrNonAsciiChars_IsReEncoded(string app, string expected)
    {
        var result = Baggage.BuildOutgoing(app, null, null);

        Assert.Equal(expected, result);
        Assert.DoesNotContain(result!, c => c < 0x20 || c >= 0x7f);
    }

    [Fact]
    public void BuildOutgoing_ThirdPartyMembers_ComeLastAndNeverOverrideTheApp()
    {
        var thirdParty = Baggage.Parse("tenant=other,region=eu%20west,sentry-trace_id=evil");

        var result = Baggage.BuildOutgoing("tenant=acme", Dsc, thirdParty);

        Assert.Equal("tenant=acme,sentry-trace_id=abc,sentry-release=r%401,region=eu%20west", result);
    }

    [Fact]
    public void BuildOutgoing_ThirdPartyOnly_IsWritten()
    {
        var result = Baggage.BuildOutgoing(null, null, Baggage.Parse("a=1,b=é"));

        Assert.Equal("a=1,b=%C3%A9", result);
    }

    [Fact]
    public void BuildOutgoing_ThirdPartyKeyMatchingAnEncodedAppKey_IsSkipped()
    {
        var result = Baggage.BuildOutgoing("caf%C3%A9=1", null, Baggage.Parse("café=2"));

        Assert.Equal("caf%C3%A9=1", result);
    }

    [Fact]
    public void BuildOutgoing_AppMemberTooLong_IsSkippedAndTheDscStillSent()
    {
        var app = "big=" + new string('x', Baggage.MaxBytes) + ",small=1";

        var result = Baggage.BuildOutgoing(app, Dsc, null);

        Assert.Equal("small=1,sentry-trace_id=abc,sentry-release=r%401", result);
    }

    [Fact]
    public void BuildOutgoing_FillsUpToExactlyMaxBytes()
    {
        const string sentry = ",sentry-trace_id=abc,sentry-release=r%401";
        var app = "a=" + new string('x', Baggage.MaxBytes - 2 - sentry.Length);

        var result = Baggage.BuildOutgoing(app, Dsc, Baggage.Parse("t=1"));

        Assert.Equal(app + sentry, result);
        Assert.Equal(Baggage.MaxBytes, result!.Length);
    }

    [Fact]
    public void BuildOutgoing_OneByteOverMaxBytes_SkipsTheMemberThatDoesNotFit()
    {
        const string sentry = ",sentry-trace_id=abc,sentry-release=r%401";
        var app = "a=" + new string('x', Baggage.MaxBytes - 2 - sentry.Length + 1);

        var result = Baggage.BuildOutgoing(app, Dsc, Baggage.Parse("t=1"));

        Assert.Equal(app + ",sentry-trace_id=abc,t=1", result);
        Assert.True(result!.Length <= Baggage.MaxBytes);
    }

    [Fact]
    public void BuildOutgoing_MemberLimit_CountsAcrossAppDscAndThirdParty()
    {
        var app = string.Join(',', Enumerable.Range(0, 179).Select(i => $"k{i}=v"));

        var result = Baggage.BuildOutgoing(app, Dsc, Baggage.Parse("t=1"));

        Assert.Equal(app + ",sentry-trace_id=abc", result);
        Assert.Equal(Baggage.MaxMembers, result!.Split(',').Length);
    }

    [Fact]
    public void BuildOutgoing_AppDuplicateKeys_AreKeptAsTheAppWroteThem()
    {
        var result = Baggage.BuildOutgoing("a=1,a=2", null, null);

        Assert.Equal("a=1,a=2", result);
        Assert.Equal("2", Baggage.Parse(result!)["a"]);
    }
}
