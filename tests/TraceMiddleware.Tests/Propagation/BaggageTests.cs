using Microsoft.Extensions.Primitives;
using TraceMiddleware.Propagation;

namespace TraceMiddleware.Tests.Propagation;

public class BaggageTests
{
    // Real @sentry/node 10.78 output (PROTOCOL.md §2).
    internal const string RealJsHeader = "sentry-environment=dev,sentry-release=shop%401.2.3,sentry-public_key=abc123,"
        + "sentry-trace_id=dcdb093f8f9441fdadcece0f4620f134,sentry-transaction=checkout,sentry-sampled=true,"
        + "sentry-sample_rand=0.3276234201731898,sentry-sample_rate=1";

    private static List<(string Key, string Value)> Pairs(Baggage baggage) =>
        baggage.Select(m => (m.Key, m.Value)).ToList();

    [Fact]
    public void ParseThenToString_RealJsHeader_RoundTripsByteForByte()
    {
        var baggage = Baggage.Parse(RealJsHeader);

        Assert.Equal(RealJsHeader, baggage.ToString());
        Assert.Equal(RealJsHeader.Length, baggage.GetFormattedLength());
    }

    [Fact]
    public void Parse_RealJsHeader_DecodesMembersInOrder()
    {
        var baggage = Baggage.Parse(RealJsHeader);

        Assert.Equal(8, baggage.Count);
        Assert.Equal(new BaggageMember("sentry-environment", "dev"), baggage[0]);
        Assert.Equal(new BaggageMember("sentry-release", "shop@1.2.3"), baggage[1]);
        Assert.Equal("0.3276234201731898", baggage["sentry-sample_rand"]);
        Assert.Equal("1", baggage["sentry-sample_rate"]);
        Assert.Null(baggage["sentry-org_id"]);
    }

    [Fact]
    public void Parse_SeveralHeaderValues_AreMergedInOrder()
    {
        var values = new StringValues(["a=1, b=2", "c=3", "sentry-release=r%401"]);

        var baggage = Baggage.Parse(values);

        Assert.Equal([("a", "1"), ("b", "2"), ("c", "3"), ("sentry-release", "r@1")], Pairs(baggage));
        Assert.Equal("a=1,b=2,c=3,sentry-release=r%401", baggage.ToString());
    }

    [Fact]
    public void Parse_SeveralHeaderValues_IgnoresNullAndEmptyValues()
    {
        var values = new StringValues([null, "", "a=1", "garbage"]);

        var baggage = Baggage.Parse(values);

        Assert.Equal([("a", "1")], Pairs(baggage));
    }

    [Fact]
    public void Parse_EmptyStringValues_IsEmpty()
    {
        Assert.Same(Baggage.Empty, Baggage.Parse(StringValues.Empty));
    }

    [Fact]
    public void Parse_SeveralHeaderValues_CountTheMemberLimitAcrossAll()
    {
        var first = string.Join(',', Enumerable.Range(0, 100).Select(i => $"a{i}=v"));
        var second = string.Join(',', Enumerable.Range(0, 100).Select(i => $"b{i}=v"));

        var baggage = Baggage.Parse(new StringValues([first, second]));

        Assert.Equal(Baggage.MaxMembers, baggage.Count);
        Assert.Equal("b79", baggage[^1].Key);
    }

    [Fact]
    public void Parse_SeveralHeaderValues_LaterValueOverridesEarlierKey()
    {
        var baggage = Baggage.Parse(new StringValues(["a=1,b=2", "a=3"]));

        Assert.Equal([("a", "3"), ("b", "2")], Pairs(baggage));
    }

    [Fact]
    public void Parse_DuplicateKey_LastValueWinsAtFirstPosition()
    {
        var baggage = Baggage.Parse("a=1,b=2,a=3,c=4,b=5");

        Assert.Equal([("a", "3"), ("b", "5"), ("c", "4")], Pairs(baggage));
    }

    [Fact]
    public void Parse_DuplicateKeysDifferingOnlyInEncoding_AreTheSameKey()
    {
        var baggage = Baggage.Parse("k%41=1,kA=2");

        Assert.Equal([("kA", "2")], Pairs(baggage));
    }

    [Fact]
    public void Parse_OptionalWhitespace_IsTrimmed()
    {
        var baggage = Baggage.Parse(" \ta = 1 ,b=2\t,  c\t=\t3  ");

        Assert.Equal("a=1,b=2,c=3", baggage.ToString());
    }

    [Fact]
    public void Parse_Properties_StayInTheValueAndAreEncodedOnOutput()
    {
        var baggage = Baggage.Parse("k=v;prop=1");

        Assert.Equal("v;prop=1", baggage["k"]);
        Assert.Equal("k=v%3Bprop%3D1", baggage.ToString());
        Assert.Equal("v;prop=1", Baggage.Parse(baggage.ToString())["k"]);
    }

    [Theory]
    [InlineData("a=%zz,b=2")]
    [InlineData("a=%,b=2")]
    [InlineData("a=%C3,b=2")]
    [InlineData("a=x%C3%28,b=2")]
    [InlineData("%zz=1,b=2")]
    [InlineData("a=,b=2")]
    [InlineData("=1,b=2")]
    [InlineData("a,b=2")]
    [InlineData(" = ,b=2")]
    public void Parse_InvalidMember_IsDroppedAndTheRestKept(string header)
    {
        var baggage = Baggage.Parse(header);

        Assert.Equal([("b", "2")], Pairs(baggage));
    }

    [Fact]
    public void Parse_EqualsAsValue_IsKeptAndEncoded()
    {
        var baggage = Baggage.Parse("k==,j=a=b");

        Assert.Equal([("k", "="), ("j", "a=b")], Pairs(baggage));
        Assert.Equal("k=%3D,j=a%3Db", baggage.ToString());
    }

    [Fact]
    public void Parse_PlusSign_IsNotASpace()
    {
        var baggage = Baggage.Parse("k=a+b");

        Assert.Equal("a+b", baggage["k"]);
        Assert.Equal("k=a%2Bb", baggage.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData(",,,")]
    [InlineData("k")]
    [InlineData("k=%zz")]
    public void TryParse_NoValidMember_ReturnsFalseAndEmpty(string header)
    {
        var ok = Baggage.TryParse(header, out var baggage);

        Assert.False(ok);
        Assert.Same(Baggage.Empty, baggage);
    }

    [Fact]
    public void TryParse_OneValidMember_ReturnsTrue()
    {
        var ok = Baggage.TryParse("junk,k=v", out var baggage);

        Assert.True(ok);
        Assert.Equal("v", baggage["k"]);
    }

    [Theory]
    [InlineData("é", "%C3%A9")]
    [InlineData("a b", "a%20b")]
    [InlineData("😀", "%F0%9F%98%80")]
    [InlineData("日本", "%E6%97%A5%E6%9C%AC")]
    [InlineData("a,b;c=d", "a%2Cb%3Bc%3Dd")]
    [InlineData("-_.!~*'()", "-_.!~*'()")]
    public void ToString_UnicodeAndReservedValues_AreEncodedLikeEncodeUriComponent(string value, string encoded)
    {
        var baggage = new Baggage([new BaggageMember("k", value)]);

        var text = baggage.ToString();

        Assert.Equal("k=" + encoded, text);
        Assert.Equal(value, Baggage.Parse(text)["k"]);
    }

    [Fact]
    public void Parse_RawUnicodeInHeader_IsDecodedAsIs()
    {
        var baggage = Baggage.Parse("k=café");

        Assert.Equal("café", baggage["k"]);
        Assert.Equal("k=caf%C3%A9", baggage.ToString());
    }

    [Theory]
    [InlineData("a\r\nb", "a%0D%0Ab")]
    [InlineData("a\nSet-Cookie: x=1", "a%0ASet-Cookie%3A%20x%3D1")]
    [InlineData("\t\0\u001b\u007f", "%09%00%1B%7F")]
    public void ToString_ControlCharacters_ArePercentEncoded(string value, string encoded)
    {
        var baggage = new Baggage([new BaggageMember("k", value)]);

        var text = baggage.ToString();

        Assert.Equal("k=" + encoded, text);
        Assert.DoesNotContain(text, c => c < 0x20 || c >= 0x7f);
    }

    [Fact]
    public void ToString_EncodedControlCharactersFromAHeader_StayEncoded()
    {
        var baggage = Baggage.Parse("k=a%0D%0Ab");

        Assert.Equal("a\r\nb", baggage["k"]);
        Assert.Equal("k=a%0D%0Ab", baggage.ToString());
    }

    [Fact]
    public void ToString_RawControlCharactersInAHeader_AreEncodedOnOutput()
    {
        var baggage = Baggage.Parse("k=a\rb\u0001");

        Assert.Equal("k=a%0Db%01", baggage.ToString());
    }

    [Fact]
    public void Parse_ExactlyMaxMembers_KeepsAll()
    {
        var header = string.Join(',', Enumerable.Range(0, 180).Select(i => $"k{i}=v"));

        var baggage = Baggage.Parse(header);

        Assert.Equal(180, baggage.Count);
        Assert.Equal(header, baggage.ToString());
    }

    [Fact]
    public void Parse_OnePastMaxMembers_DropsTheLast()
    {
        var header = string.Join(',', Enumerable.Range(0, 181).Select(i => $"k{i}=v"));

        var baggage = Baggage.Parse(header);

        Assert.Equal(180, baggage.Count);
        Assert.Null(baggage["k180"]);
    }

    [Fact]
    public void ToString_MoreThanMaxMembersBuiltInCode_WritesOnlyMaxMembers()
    {
        var baggage = new Baggage(Enumerable.Range(0, 181).Select(i => new BaggageMember($"k{i}", "v")));

        var text = baggage.ToString();

        Assert.Equal(181, baggage.Count);
        Assert.Equal(180, text.Split(',').Length);
        Assert.DoesNotContain("k180=", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_HeaderOfExactlyMaxBytes_KeepsEveryMember()
    {
        // ("a=" + 4000) + ",b=" + 4000 + ",c=" + x = 8008 + x = 8192  =>  x = 184
        var baggage = new Baggage(
        [
            new BaggageMember("a", new string('x', 4000)),
            new BaggageMember("b", new string('y', 4000)),
            new BaggageMember("c", new string('z', 184)),
        ]);

        var text = baggage.ToString();

        Assert.Equal(Baggage.MaxBytes, text.Length);
        Assert.Equal(3, Baggage.Parse(text).Count);
    }

    [Fact]
    public void ToString_MemberThatWouldMakeMaxBytesPlusOne_IsSkippedAndALaterShortOneKept()
    {
        // With 185 chars the third member would end the header at 8193.
        var baggage = new Baggage(
        [
            new BaggageMember("a", new string('x', 4000)),
            new BaggageMember("b", new string('y', 4000)),
            new BaggageMember("c", new string('z', 185)),
            new BaggageMember("d", "1"),
        ]);

        var text = baggage.ToString();

        Assert.Equal(8005 + ",d=1".Length, text.Length);
        Assert.EndsWith(",b=" + new string('y', 4000) + ",d=1", text, StringComparison.Ordinal);
        Assert.Null(Baggage.Parse(text)["c"]);
        Assert.Equal(text.Length, baggage.GetFormattedLength());
    }

    [Fact]
    public void ToString_EncodingCountsTowardsMaxBytes()
    {
        // 2730 'é' encode to 16380 chars: far too long, even though the decoded value is short.
        var baggage = new Baggage(
        [
            new BaggageMember("big", new string('é', 2730)),
            new BaggageMember("small", "é"),
        ]);

        Assert.Equal("small=%C3%A9", baggage.ToString());
    }

    [Fact]
    public void ToString_FirstMemberTooLong_IsSkippedWithoutALeadingComma()
    {
        var baggage = new Baggage(
        [
            new BaggageMember("huge", new string('x', Baggage.MaxBytes)),
            new BaggageMember("a", "1"),
        ]);

        Assert.Equal("a=1", baggage.ToString());
    }

    [Fact]
    public void TryFormat_DestinationTooSmall_ReturnsFalse()
    {
        var baggage = Baggage.Parse(RealJsHeader);

        var ok = baggage.TryFormat(new char[RealJsHeader.Length - 1], out var written);

        Assert.False(ok);
        Assert.Equal(0, written);
    }

    [Fact]
    public void TryFormat_ExactDestination_WritesTheHeader()
    {
        var baggage = Baggage.Parse(RealJsHeader);
        var buffer = new char[baggage.GetFormattedLength()];

        var ok = baggage.TryFormat(buffer, out var written);

        Assert.True(ok);
        Assert.Equal(RealJsHeader, new string(buffer, 0, written));
    }

    [Fact]
    public void Empty_FormatsToAnEmptyString()
    {
        Assert.Equal(string.Empty, Baggage.Empty.ToString());
        Assert.Equal(0, Baggage.Empty.GetFormattedLength());
        Assert.True(Baggage.Empty.TryFormat(Span<char>.Empty, out var written));
        Assert.Equal(0, written);
        Assert.Empty(Baggage.Empty);
    }

    [Fact]
    public void Constructor_EmptyKeysValuesAndLoneSurrogates_AreLeftOut()
    {
        var baggage = new Baggage(
        [
            new BaggageMember("", "v"),
            new BaggageMember("k", ""),
            default,
            new BaggageMember("bad", "\uD800"),
            new BaggageMember("\uDC00", "v"),
            new BaggageMember("ok", "v"),
        ]);

        Assert.Equal([("ok", "v")], Pairs(baggage));
    }

    [Fact]
    public void Constructor_DuplicateKeys_LastWinsAtFirstPosition()
    {
        var baggage = new Baggage([new("a", "1"), new("b", "2"), new("a", "3")]);

        Assert.Equal("a=3,b=2", baggage.ToString());
    }

    [Fact]
    public void Constructor_NullMembers_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => new Baggage(null!));
    }

    [Fact]
    public void TryGetValue_IsOrdinalOnDecodedKeys()
    {
        var baggage = Baggage.Parse("Key=1,caf%C3%A9=2");

        Assert.True(baggage.TryGetValue("Key", out var value));
        Assert.Equal("1", value);
        Assert.False(baggage.TryGetValue("key", out _));
        Assert.Equal("2", baggage["café"]);
        Assert.Throws<ArgumentNullException>(() => baggage.TryGetValue(null!, out _));
    }

    [Fact]
    public void SentryAndThirdPartyMembers_SplitOnTheCaseSensitivePrefix()
    {
        var baggage = Baggage.Parse("a=1,sentry-release=r,Sentry-x=2,sentry-trace_id=t,sentryx=3");

        Assert.Equal("sentry-release=r,sentry-trace_id=t", baggage.SentryMembers().ToString());
        Assert.Equal("a=1,Sentry-x=2,sentryx=3", baggage.ThirdPartyMembers().ToString());
    }

    [Fact]
    public void SentryMembers_NoneThere_IsEmpty()
    {
        Assert.Same(Baggage.Empty, Baggage.Parse("a=1").SentryMembers());
        Assert.Same(Baggage.Empty, Baggage.Parse("sentry-a=1").ThirdPartyMembers());
    }

    [Fact]
    public void Enumeration_YieldsMembersInOrder()
    {
        var baggage = Baggage.Parse("b=2,a=1");

        Assert.Equal(["b", "a"], baggage.Select(m => m.Key));
    }

    [Fact]
    public void HeaderName_IsLowercaseBaggage()
    {
        Assert.Equal("baggage", Baggage.HeaderName);
    }

    [Fact]
    public void BaggageMember_EqualityIsOrdinalOnKeyAndValue()
    {
        var a = new BaggageMember("k", "v");

        Assert.True(a == new BaggageMember("k", "v"));
        Assert.True(a != new BaggageMember("K", "v"));
        Assert.True(a != new BaggageMember("k", "V"));
        Assert.Equal(a.GetHashCode(), new BaggageMember("k", "v").GetHashCode());
        Assert.False(a.Equals((object)"k=v"));
    }

    [Theory]
    [InlineData("sentry-release", true)]
    [InlineData("sentry-", true)]
    [InlineData("Sentry-release", false)]
    [InlineData("sentry_release", false)]
    [InlineData("xsentry-release", false)]
    public void BaggageMember_IsSentry_IsACaseSensitivePrefixCheck(string key, bool expected)
    {
        Assert.Equal(expected, new BaggageMember(key, "v").IsSentry);
    }

    [Fact]
    public void BaggageMember_NullKeyOrValue_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => new BaggageMember(null!, "v"));
        Assert.Throws<ArgumentNullException>(() => new BaggageMember("k", null!));
    }
}
