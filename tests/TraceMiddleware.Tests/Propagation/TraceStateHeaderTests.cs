using Microsoft.Extensions.Primitives;
using TraceMiddleware.Propagation;

namespace TraceMiddleware.Tests.Propagation;

public class TraceStateHeaderTests
{
    // test_tracestate_all_allowed_characters in w3c/trace-context test/test.py
    private const string AllKeyChars = "abcdefghijklmnopqrstuvwxyz0123456789_-*/";
    private const string AllValueChars =
        " !\"#$%&'()*+-./0123456789:;<>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";

    [Theory]
    [InlineData("foo=1", "foo=1", 1)]
    [InlineData("foo=1,bar=2", "foo=1,bar=2", 2)]
    [InlineData("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7", "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7", 2)]
    [InlineData("sentry=abc@def", "sentry=abc@def", 1)]
    [InlineData("tenant@system=v", "tenant@system=v", 1)]
    [InlineData("0tenant@s=v", "0tenant@s=v", 1)]
    [InlineData("1foo=1", "1foo=1", 1)]
    [InlineData("a=b", "a=b", 1)]
    [InlineData("foo= x y", "foo= x y", 1)]
    [InlineData("foo=  !", "foo=  !", 1)]
    public void TryParse_ValidValue_KeepsItsMembers(string value, string expected, int members)
    {
        var ok = TraceStateHeader.TryParse(value, out var header);

        Assert.True(ok);
        Assert.Equal(expected, header.Value);
        Assert.Equal(members, header.MemberCount);
        Assert.False(header.IsEmpty);
    }

    // test_tracestate_ows_handling, and empty members (allowed by Level 2)
    [Theory]
    [InlineData("foo=1 \t , \t bar=2, \t baz=3", "foo=1,bar=2,baz=3", 3)]
    [InlineData("foo=1\t \t,\t \tbar=2,\t \tbaz=3", "foo=1,bar=2,baz=3", 3)]
    [InlineData(" foo=1", "foo=1", 1)]
    [InlineData("\tfoo=1", "foo=1", 1)]
    [InlineData("foo=1 ", "foo=1", 1)]
    [InlineData("foo=1\t", "foo=1", 1)]
    [InlineData("\t foo=1 \t", "foo=1", 1)]
    [InlineData("a=1,,b=2", "a=1,b=2", 2)]
    [InlineData("a=1,b=2,", "a=1,b=2", 2)]
    [InlineData(",a=1", "a=1", 1)]
    [InlineData(",,a=1,,  ,\t,b=2,,", "a=1,b=2", 2)]
    [InlineData("foo= x ", "foo= x", 1)]
    public void TryParse_WhitespaceAndEmptyMembers_AreRemovedFromTheValue(string value, string expected, int members)
    {
        var ok = TraceStateHeader.TryParse(value, out var header);

        Assert.True(ok);
        Assert.Equal(expected, header.Value);
        Assert.Equal(members, header.MemberCount);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData(" \t ")]
    [InlineData(",")]
    [InlineData(" , ,\t,")]
    public void TryParse_NoMembers_IsAValidEmptyHeader(string value)
    {
        var ok = TraceStateHeader.TryParse(value, out var header);

        Assert.True(ok);
        Assert.True(header.IsEmpty);
        Assert.Null(header.Value);
        Assert.Equal(0, header.MemberCount);
        Assert.Equal(string.Empty, header.ToString());
    }

    [Fact]
    public void TryParse_AllAllowedCharacters_AreAccepted()
    {
        var keyWithVendor = AllKeyChars + "@a-z0-9_-*/";

        var simpleOk = TraceStateHeader.TryParse(AllKeyChars + "=" + AllValueChars, out var simple);
        var vendorOk = TraceStateHeader.TryParse(keyWithVendor + "=" + AllValueChars, out var vendor);

        Assert.True(simpleOk);
        Assert.Equal(AllKeyChars + "=" + AllValueChars, simple.Value);
        Assert.True(vendorOk);
        Assert.Equal(keyWithVendor + "=" + AllValueChars, vendor.Value);
    }

    [Fact]
    public void ValueCharacters_AreExactlyPrintableAsciiWithoutCommaAndEquals()
    {
        var printableAscii = new string(Enumerable.Range(0x20, 0x7f - 0x20)
            .Select(c => (char)c).Where(c => c != ',' && c != '=').ToArray());

        Assert.Equal(AllValueChars, printableAscii);
    }

    [Theory]
    // test_tracestate_key_illegal_characters
    [InlineData("foo =1")]
    [InlineData("FOO=1")]
    [InlineData("foo.bar=1")]
    [InlineData("fOo=1")]
    [InlineData("_foo=1")]
    [InlineData("-foo=1")]
    [InlineData("foo\u00e9=1")]
    // test_tracestate_key_illegal_vendor_format: "expects keys that start with an at sign to be discarded"
    [InlineData("@foo=1,bar=2")]
    [InlineData("_foo@bar=1")]
    [InlineData("foo@Bar=1")]
    public void TryParse_BadKey_DropsTheWholeHeader(string value)
    {
        var ok = TraceStateHeader.TryParse(value, out var header);

        Assert.False(ok);
        Assert.True(header.IsEmpty);
    }

    [Theory]
    // test_tracestate_value_illegal_characters
    [InlineData("foo=bar=baz")]
    [InlineData("foo=,bar=3")]
    [InlineData("foo=")]
    [InlineData("foo= ")]
    [InlineData("foo=a\tb")]
    [InlineData("foo=a\u007f")]
    [InlineData("foo=a\u00e9")]
    [InlineData("foo=a\nb")]
    [InlineData("foo=\u001f")]
    [InlineData("foo")]
    [InlineData("=1")]
    [InlineData("foo=1,bar")]
    [InlineData("foo=1 bar=2")]
    public void TryParse_BadValueOrMember_DropsTheWholeHeader(string value)
    {
        var ok = TraceStateHeader.TryParse(value, out var header);

        Assert.False(ok);
        Assert.True(header.IsEmpty);
    }

    [Fact]
    public void TryParse_QuoteInValue_IsAccepted()
    {
        var ok = TraceStateHeader.TryParse("foo=1,bar=\"", out var header);

        Assert.True(ok);
        Assert.Equal(2, header.MemberCount);
    }

    // test_tracestate_duplicated_keys: "expects the tracestate to be inherited, and the duplicated keys to be
    // either kept as-is or one of them to be discarded"; a duplicate breaks no rule of the list grammar.
    [Theory]
    [InlineData("foo=1,foo=1", "foo=1,foo=1")]
    [InlineData("foo=1,foo=2", "foo=1,foo=2")]
    [InlineData("foo=1, bar=2 ,foo=3", "foo=1,bar=2,foo=3")]
    [InlineData("t@v=1,t@v=2", "t@v=1,t@v=2")]
    public void TryParse_DuplicateKeys_AreKeptAsTheyAre(string value, string expected)
    {
        var ok = TraceStateHeader.TryParse(value, out var header);

        Assert.True(ok);
        Assert.Equal(expected, header.Value);
    }

    [Fact]
    public void TryParse_KeysWithAnAtSign_AreOrdinaryDistinctKeys()
    {
        var ok = TraceStateHeader.TryParse("foo=1,foo@bar=2,bar@foo=3,foobar=4,foo@=5", out var header);

        Assert.True(ok);
        Assert.Equal(5, header.MemberCount);
    }

    // test_tracestate_key_length_limit
    [Theory]
    [InlineData(TraceStateHeader.MaxKeyLength, true)]
    [InlineData(TraceStateHeader.MaxKeyLength + 1, false)]
    public void TryParse_SimpleKeyLength_IsLimited(int length, bool expected)
    {
        var value = "foo=1," + new string('z', length) + "=1";

        var ok = TraceStateHeader.TryParse(value, out _);

        Assert.Equal(expected, ok);
    }

    [Theory]
    [InlineData(TraceStateHeader.MaxValueLength, true)]
    [InlineData(TraceStateHeader.MaxValueLength + 1, false)]
    public void TryParse_ValueLength_IsLimited(int length, bool expected)
    {
        var value = "foo=" + new string('v', length);

        var ok = TraceStateHeader.TryParse(value, out _);

        Assert.Equal(expected, ok);
    }

    [Fact]
    public void Limits_AreTheSpecificationsNumbers()
    {
        Assert.Equal(32, TraceStateHeader.MaxMembers);
        Assert.Equal(256, TraceStateHeader.MaxKeyLength);
        Assert.Equal(256, TraceStateHeader.MaxValueLength);
        Assert.Equal(512, TraceStateHeader.MaxPropagatedLength);
        Assert.Equal("tracestate", TraceStateHeader.HeaderName);
    }

    // test_tracestate_member_count_limit
    [Fact]
    public void TryParse_ThirtyTwoMembersOverFourLines_IsAccepted()
    {
        StringValues lines = MemberCountLines(32);

        var ok = TraceStateHeader.TryParse(lines, out var header);

        Assert.True(ok);
        Assert.Equal(32, header.MemberCount);
        Assert.StartsWith("bar01=01,bar02=02,", header.Value);
        Assert.EndsWith(",bar31=31,bar32=32", header.Value);
    }

    [Fact]
    public void TryParse_ThirtyThreeMembersOverFourLines_DropsTheWholeHeader()
    {
        StringValues lines = MemberCountLines(33);

        var ok = TraceStateHeader.TryParse(lines, out var header);

        Assert.False(ok);
        Assert.True(header.IsEmpty);
    }

    [Theory]
    [InlineData(32, true)]
    [InlineData(33, false)]
    public void TryParse_MemberCountInOneLine_IsLimited(int members, bool expected)
    {
        var value = string.Join(",", Enumerable.Range(1, members).Select(i => $"k{i}=v"));

        var ok = TraceStateHeader.TryParse(value, out var header);

        Assert.Equal(expected, ok);
        Assert.Equal(expected ? members : 0, header.MemberCount);
    }

    [Fact]
    public void TryParse_EmptyMembers_DoNotCountTowardTheLimit()
    {
        var value = string.Join(", ,", Enumerable.Range(1, 32).Select(i => $"k{i}=v")) + ",,,,";

        var ok = TraceStateHeader.TryParse(value, out var header);

        Assert.True(ok);
        Assert.Equal(32, header.MemberCount);
    }

    // test_tracestate_multiple_headers_different_keys
    [Fact]
    public void TryParse_SeveralLines_AreJoinedInOrder()
    {
        string[] lines = ["foo=1,bar=2", "rojo=1,congo=2", "baz=3"];

        var ok = TraceStateHeader.TryParse((IReadOnlyList<string>)lines, out var header);

        Assert.True(ok);
        Assert.Equal("foo=1,bar=2,rojo=1,congo=2,baz=3", header.Value);
        Assert.Equal(5, header.MemberCount);
    }

    // test_tracestate_empty_header
    [Theory]
    [InlineData("foo=1", "")]
    [InlineData("", "foo=1")]
    [InlineData(" foo=1 ", " ")]
    public void TryParse_EmptyLines_AreIgnored(string first, string second)
    {
        StringValues lines = new([first, second]);

        var ok = TraceStateHeader.TryParse(lines, out var header);

        Assert.True(ok);
        Assert.Equal("foo=1", header.Value);
    }

    // test_tracestate_duplicated_keys, across lines
    [Theory]
    [InlineData("foo=1", "foo=1")]
    [InlineData("foo=1", "foo=2")]
    public void TryParse_DuplicateKeyAcrossLines_IsKept(string first, string second)
    {
        var ok = TraceStateHeader.TryParse(new List<string> { first, second }, out var header);

        Assert.True(ok);
        Assert.Equal(first + "," + second, header.Value);
    }

    // test_tracestate_key_length_limit, which sends the long key on a second line
    [Fact]
    public void TryParse_OneBadLine_DropsTheOtherLinesToo()
    {
        var ok = TraceStateHeader.TryParse(new List<string> { "foo=1", new string('z', 257) + "=1" }, out var header);

        Assert.False(ok);
        Assert.True(header.IsEmpty);
    }

    [Fact]
    public void TryParse_NoLines_IsAValidEmptyHeader()
    {
        var fromStringValues = TraceStateHeader.TryParse(StringValues.Empty, out var a);
        var fromList = TraceStateHeader.TryParse(Array.Empty<string>(), out var b);

        Assert.True(fromStringValues);
        Assert.True(a.IsEmpty);
        Assert.True(fromList);
        Assert.True(b.IsEmpty);
    }

    [Fact]
    public void TryParse_NullLineInStringValues_CountsAsEmpty()
    {
        StringValues lines = new([null, "foo=1", null]);

        var ok = TraceStateHeader.TryParse(lines, out var header);

        Assert.True(ok);
        Assert.Equal("foo=1", header.Value);
    }

    [Fact]
    public void TryParse_LongLines_AreJoinedCorrectly()
    {
        var first = string.Join(",", Enumerable.Range(1, 16).Select(i => $"a{i}=" + new string('x', 200)));
        var second = string.Join(",", Enumerable.Range(1, 16).Select(i => $"b{i}=" + new string('y', 200)));

        var ok = TraceStateHeader.TryParse(new List<string> { first, second }, out var header);

        Assert.True(ok);
        Assert.Equal(first + "," + second, header.Value);
        Assert.Equal(32, header.MemberCount);
    }

    [Fact]
    public void TryParse_NullString_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => TraceStateHeader.TryParse((string)null!, out _));
    }

    [Fact]
    public void TryParse_NullList_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => TraceStateHeader.TryParse((IReadOnlyList<string>)null!, out _));
    }

    [Fact]
    public void TryParse_NormalizedString_KeepsTheSameInstance()
    {
        var value = new string("foo=1,bar=2".AsSpan());

        TraceStateHeader.TryParse(value, out var header);

        Assert.Same(value, header.Value);
    }

    [Fact]
    public void TryParse_NotNormalizedString_KeepsANormalizedCopy()
    {
        var value = "foo=1, bar=2";

        TraceStateHeader.TryParse(value, out var header);

        Assert.Equal("foo=1,bar=2", header.Value);
    }

    [Fact]
    public void TryParse_Span_KeepsANormalizedCopy()
    {
        var value = "x foo=1, bar=2 x".AsSpan(1, 14);

        var ok = TraceStateHeader.TryParse(value, out var header);

        Assert.True(ok);
        Assert.Equal("foo=1,bar=2", header.Value);
    }

    [Fact]
    public void TryFormat_CopiesTheNormalizedValue()
    {
        TraceStateHeader.TryParse(" a=1 ,, b=2 ", out var header);
        Span<char> buffer = stackalloc char[7];

        var ok = header.TryFormat(buffer, out var written);

        Assert.True(ok);
        Assert.Equal("a=1,b=2", new string(buffer[..written]));
        Assert.Equal("a=1,b=2", header.ToString());
    }

    [Fact]
    public void TryFormat_BufferOneShort_ReturnsFalse()
    {
        TraceStateHeader.TryParse("a=1,b=2", out var header);
        var buffer = new char[6];

        var ok = header.TryFormat(buffer, out var written);

        Assert.False(ok);
        Assert.Equal(0, written);
    }

    [Fact]
    public void TryFormat_EmptyHeader_WritesNothing()
    {
        var header = default(TraceStateHeader);

        var ok = header.TryFormat(Span<char>.Empty, out var written);

        Assert.True(ok);
        Assert.Equal(0, written);
    }

    [Fact]
    public void Equals_ComparesTheNormalizedText()
    {
        TraceStateHeader.TryParse("a=1,b=2", out var a);
        TraceStateHeader.TryParse(" a=1 , b=2 ,", out var sameAsA);
        TraceStateHeader.TryParse("b=2,a=1", out var otherOrder);
        TraceStateHeader.TryParse("", out var empty);

        Assert.True(a == sameAsA);
        Assert.True(a.Equals((object)sameAsA));
        Assert.Equal(a.GetHashCode(), sameAsA.GetHashCode());
        Assert.True(a != otherOrder);
        Assert.Equal(default, empty);
        Assert.Equal(0, empty.GetHashCode());
        Assert.False(a.Equals("a=1,b=2"));
    }

    [Fact]
    public void TryParse_NormalizedString_AllocatesNothing()
    {
        var value = "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7,t@v=1";
        StringValues lines = value;
        TraceStateHeader.TryParse(value, out _);
        TraceStateHeader.TryParse(lines, out _);
        var before = GC.GetAllocatedBytesForCurrentThread();

        var ok = TraceStateHeader.TryParse(value, out var header);
        var okLines = TraceStateHeader.TryParse(lines, out _);

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(ok);
        Assert.True(okLines);
        Assert.Same(value, header.Value);
    }

    [Fact]
    public void TryParse_InvalidSpan_AllocatesNothing()
    {
        var value = "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7,@congo=2".AsSpan();
        TraceStateHeader.TryParse(value, out _);
        var before = GC.GetAllocatedBytesForCurrentThread();

        var ok = TraceStateHeader.TryParse(value, out _);

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.False(ok);
    }

    private static string[] MemberCountLines(int members)
    {
        var lines = new List<string>();
        for (var first = 1; first <= members; first += 10)
        {
            var last = Math.Min(first + 9, members);
            lines.Add(string.Join(",", Enumerable.Range(first, last - first + 1).Select(i => $"bar{i:00}={i:00}")));
        }

        return [.. lines];
    }
}
