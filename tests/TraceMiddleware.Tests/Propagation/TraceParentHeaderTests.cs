using System.Diagnostics;
using TraceMiddleware.Propagation;

namespace TraceMiddleware.Tests.Propagation;

public class TraceParentHeaderTests
{
    // The ids the W3C conformance suite (w3c/trace-context test/test.py) sends.
    private const string Trace = "12345678901234567890123456789012";
    private const string Parent = "1234567890123456";
    private const string Valid = "00-" + Trace + "-" + Parent + "-01";

    [Theory]
    [InlineData("00-" + Trace + "-" + Parent + "-01", 0x00, 0x01, true)]
    [InlineData("00-" + Trace + "-" + Parent + "-00", 0x00, 0x00, false)]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", 0x00, 0x01, true)]
    [InlineData("00-" + Trace + "-" + Parent + "-02", 0x00, 0x02, false)]
    [InlineData("00-" + Trace + "-" + Parent + "-03", 0x00, 0x03, true)]
    [InlineData("00-" + Trace + "-" + Parent + "-fe", 0x00, 0xfe, false)]
    [InlineData("00-" + Trace + "-" + Parent + "-ff", 0x00, 0xff, true)]
    [InlineData("01-" + Trace + "-" + Parent + "-01", 0x01, 0x01, true)]
    [InlineData("cc-" + Trace + "-" + Parent + "-01", 0xcc, 0x01, true)]
    [InlineData("fe-" + Trace + "-" + Parent + "-00", 0xfe, 0x00, false)]
    public void TryParse_ValidValue_ReadsVersionIdsAndFlags(string value, int version, int flags, bool sampled)
    {
        var ok = TraceParentHeader.TryParse(value, out var header);

        Assert.True(ok);
        Assert.Equal(version, header.Version);
        Assert.Equal(value.Substring(3, 32), header.TraceId.ToHexString());
        Assert.Equal(value.Substring(36, 16), header.ParentId.ToHexString());
        Assert.Equal((ActivityTraceFlags)flags, header.Flags);
        Assert.Equal(sampled, header.Sampled);
    }

    // test_traceparent_ows_handling
    [Theory]
    [InlineData(" " + Valid)]
    [InlineData("\t" + Valid)]
    [InlineData(Valid + " ")]
    [InlineData(Valid + "\t")]
    [InlineData("\t " + Valid + " \t")]
    public void TryParse_SurroundingSpacesAndTabs_AreIgnored(string value)
    {
        var ok = TraceParentHeader.TryParse(value, out var header);

        Assert.True(ok);
        Assert.Equal(Trace, header.TraceId.ToHexString());
        Assert.Equal(Parent, header.ParentId.ToHexString());
    }

    // test_traceparent_version_0xcc, plus the edge of "must be followed by a dash"
    [Theory]
    [InlineData("cc-" + Trace + "-" + Parent + "-01-what-the-future-will-be-like")]
    [InlineData("cc-" + Trace + "-" + Parent + "-01-")]
    [InlineData("01-" + Trace + "-" + Parent + "-01-x-y-z")]
    [InlineData("cc-" + Trace + "-" + Parent + "-01-what-the-future \t")]
    public void TryParse_FutureVersionWithMoreFieldsAfterADash_IsAccepted(string value)
    {
        var ok = TraceParentHeader.TryParse(value, out var header);

        Assert.True(ok);
        Assert.Equal(Trace, header.TraceId.ToHexString());
        Assert.Equal(Parent, header.ParentId.ToHexString());
        Assert.True(header.Sampled);
    }

    [Theory]
    [InlineData("cc-" + Trace + "-" + Parent + "-01.what-the-future-will-be-like")]
    [InlineData("cc-" + Trace + "-" + Parent + "-01 -x")]
    [InlineData("cc-" + Trace + "-" + Parent + "-011")]
    [InlineData("cc-" + Trace + "-" + Parent + "-1")]
    [InlineData("cc-" + Trace + "-" + Parent + "-")]
    [InlineData("cc-00000000000000000000000000000000-" + Parent + "-01")]
    [InlineData("cc-" + Trace + "-0000000000000000-01")]
    [InlineData("CC-" + Trace + "-" + Parent + "-01")]
    public void TryParse_FutureVersionBreakingTheRules_IsRejected(string value)
    {
        var ok = TraceParentHeader.TryParse(value, out _);

        Assert.False(ok);
    }

    // test_traceparent_version_0x00
    [Theory]
    [InlineData(Valid + ".")]
    [InlineData(Valid + "-what-the-future-will-be-like")]
    [InlineData(Valid + "-")]
    [InlineData(Valid + "0")]
    [InlineData(Valid + "," + Valid)]
    public void TryParse_Version00WithTrailingData_IsRejected(string value)
    {
        var ok = TraceParentHeader.TryParse(value, out _);

        Assert.False(ok);
    }

    [Theory]
    // test_traceparent_version_0xff
    [InlineData("ff-" + Trace + "-" + Parent + "-01")]
    [InlineData("ff-" + Trace + "-" + Parent + "-01-more")]
    // test_traceparent_version_illegal_characters, _too_long, _too_short
    [InlineData(".0-" + Trace + "-" + Parent + "-01")]
    [InlineData("0.-" + Trace + "-" + Parent + "-01")]
    [InlineData("000-" + Trace + "-" + Parent + "-01")]
    [InlineData("0000-" + Trace + "-" + Parent + "-01")]
    [InlineData("0-" + Trace + "-" + Parent + "-01")]
    [InlineData("0A-" + Trace + "-" + Parent + "-01")]
    [InlineData("g0-" + Trace + "-" + Parent + "-01")]
    public void TryParse_BadVersion_IsRejected(string value)
    {
        var ok = TraceParentHeader.TryParse(value, out _);

        Assert.False(ok);
    }

    [Theory]
    // test_traceparent_trace_id_all_zero, _illegal_characters, _too_long, _too_short
    [InlineData("00-00000000000000000000000000000000-" + Parent + "-01")]
    [InlineData("00-.2345678901234567890123456789012-" + Parent + "-01")]
    [InlineData("00-1234567890123456789012345678901.-" + Parent + "-01")]
    [InlineData("00-123456789012345678901234567890123-" + Parent + "-01")]
    [InlineData("00-1234567890123456789012345678901-" + Parent + "-01")]
    [InlineData("00-4BF92F3577B34DA6A3CE929D0E0E4736-" + Parent + "-01")]
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e473G-" + Parent + "-01")]
    public void TryParse_BadTraceId_IsRejected(string value)
    {
        var ok = TraceParentHeader.TryParse(value, out _);

        Assert.False(ok);
    }

    [Theory]
    // test_traceparent_parent_id_all_zero, _illegal_characters, _too_long, _too_short
    [InlineData("00-" + Trace + "-0000000000000000-01")]
    [InlineData("00-" + Trace + "-.234567890123456-01")]
    [InlineData("00-" + Trace + "-123456789012345.-01")]
    [InlineData("00-" + Trace + "-12345678901234567-01")]
    [InlineData("00-" + Trace + "-123456789012345-01")]
    [InlineData("00-" + Trace + "-00F067AA0BA902B7-01")]
    public void TryParse_BadParentId_IsRejected(string value)
    {
        var ok = TraceParentHeader.TryParse(value, out _);

        Assert.False(ok);
    }

    [Theory]
    // test_traceparent_trace_flags_illegal_characters, _too_long, _too_short
    [InlineData("00-" + Trace + "-" + Parent + "-.0")]
    [InlineData("00-" + Trace + "-" + Parent + "-0.")]
    [InlineData("00-" + Trace + "-" + Parent + "-001")]
    [InlineData("00-" + Trace + "-" + Parent + "-1")]
    [InlineData("00-" + Trace + "-" + Parent + "-0A")]
    [InlineData("00-" + Trace + "-" + Parent + "-0g")]
    [InlineData("00-" + Trace + "-" + Parent + "-")]
    public void TryParse_BadFlags_IsRejected(string value)
    {
        var ok = TraceParentHeader.TryParse(value, out _);

        Assert.False(ok);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" \t")]
    [InlineData("00")]
    [InlineData("00-" + Trace)]
    [InlineData("00-" + Trace + "-" + Parent)]
    [InlineData("00_" + Trace + "_" + Parent + "_01")]
    [InlineData("00-" + Trace + Parent + "-01-")]
    [InlineData("00 -" + Trace + "-" + Parent + "-01")]
    [InlineData("00- " + Trace + "-" + Parent + "-01")]
    [InlineData("00-" + Trace + " " + Parent + "-01")]
    [InlineData(Valid + "\n")]
    [InlineData(Valid + "\r\n")]
    [InlineData("\u00a0" + Valid)]
    [InlineData(Valid + "\u00a0")]
    [InlineData(Trace + "-" + Parent + "-1")]
    public void TryParse_AnythingElse_IsRejected(string value)
    {
        var ok = TraceParentHeader.TryParse(value, out var header);

        Assert.False(ok);
        Assert.Equal(default, header);
    }

    // "The second least significant bit of the trace-flags field denotes the random-trace-id flag", read
    // as a bit: "both 03 and 02 ... represent that ... the trace-id [is] randomly ... generated".
    [Theory]
    [InlineData("00", false)]
    [InlineData("01", false)]
    [InlineData("02", true)]
    [InlineData("03", true)]
    [InlineData("fd", false)]
    [InlineData("fe", true)]
    public void TryParse_RandomTraceIdFlag_IsBit0x02(string flags, bool random)
    {
        TraceParentHeader.TryParse("00-" + Trace + "-" + Parent + "-" + flags, out var header);

        Assert.Equal(random, header.RandomTraceId);
        Assert.Equal(random, (header.Flags & TraceParentHeader.RandomTraceIdFlag) != 0);
    }

    [Theory]
    [InlineData("00-" + Trace + "-" + Parent + "-01", "00-" + Trace + "-" + Parent + "-01")]
    [InlineData("00-" + Trace + "-" + Parent + "-00", "00-" + Trace + "-" + Parent + "-00")]
    [InlineData("00-" + Trace + "-" + Parent + "-03", "00-" + Trace + "-" + Parent + "-03")]
    [InlineData("00-" + Trace + "-" + Parent + "-02", "00-" + Trace + "-" + Parent + "-02")]
    [InlineData("00-" + Trace + "-" + Parent + "-ff", "00-" + Trace + "-" + Parent + "-03")]
    [InlineData("00-" + Trace + "-" + Parent + "-fc", "00-" + Trace + "-" + Parent + "-00")]
    [InlineData("00-" + Trace + "-" + Parent + "-06", "00-" + Trace + "-" + Parent + "-02")]
    [InlineData("cc-" + Trace + "-" + Parent + "-01-future", "00-" + Trace + "-" + Parent + "-01")]
    [InlineData("cc-" + Trace + "-" + Parent + "-0b-future", "00-" + Trace + "-" + Parent + "-03")]
    [InlineData(" 00-" + Trace + "-" + Parent + "-01\t", "00-" + Trace + "-" + Parent + "-01")]
    public void ToString_WritesVersion00WithTheSampledAndRandomFlagsOnly(string value, string expected)
    {
        TraceParentHeader.TryParse(value, out var header);

        var text = header.ToString();

        Assert.Equal(expected, text);
    }

    [Theory]
    [InlineData("00-" + Trace + "-" + Parent + "-01")]
    [InlineData("00-" + Trace + "-" + Parent + "-00")]
    [InlineData("00-ffffffffffffffffffffffffffffffff-ffffffffffffffff-01")]
    [InlineData("00-00000000000000000000000000000001-0000000000000001-00")]
    public void RoundTrip_CanonicalValue_GivesAnEqualHeader(string value)
    {
        TraceParentHeader.TryParse(value, out var header);

        var ok = TraceParentHeader.TryParse(header.ToString(), out var back);

        Assert.True(ok);
        Assert.Equal(header, back);
        Assert.Equal(value, back.ToString());
    }

    [Theory]
    [InlineData(ActivityTraceFlags.Recorded, "01")]
    [InlineData(ActivityTraceFlags.None, "00")]
    [InlineData((ActivityTraceFlags)0x03, "03")]
    [InlineData((ActivityTraceFlags)0x02, "02")]
    [InlineData((ActivityTraceFlags)0x84, "00")]
    public void Constructor_FormatsVersion00WithTheSampledAndRandomFlags(ActivityTraceFlags flags, string expectedFlags)
    {
        var traceId = ActivityTraceId.CreateRandom();
        var parentId = ActivitySpanId.CreateRandom();

        var header = new TraceParentHeader(traceId, parentId, flags);

        Assert.Equal($"00-{traceId.ToHexString()}-{parentId.ToHexString()}-{expectedFlags}", header.ToString());
        Assert.Equal(traceId, header.TraceId);
        Assert.Equal(parentId, header.ParentId);
        Assert.Equal(flags, header.Flags);
        Assert.Equal(TraceParentHeader.CurrentVersion, header.Version);
        Assert.Equal(HexId.FromActivityTraceId(traceId), header.TraceIdValue);
        Assert.Equal(HexId.FromActivitySpanId(parentId), header.ParentIdValue);
    }

    [Fact]
    public void Constructor_AllZeroTraceId_Throws()
    {
        var error = Assert.Throws<ArgumentException>(
            () => new TraceParentHeader(default, ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded));

        Assert.Equal("traceId", error.ParamName);
    }

    [Fact]
    public void Constructor_AllZeroParentId_Throws()
    {
        var error = Assert.Throws<ArgumentException>(
            () => new TraceParentHeader(ActivityTraceId.CreateRandom(), default, ActivityTraceFlags.Recorded));

        Assert.Equal("parentId", error.ParamName);
    }

    [Fact]
    public void TraceId_ConvertsToActivityIdsWithIdenticalHex()
    {
        TraceParentHeader.TryParse(Valid, out var header);

        var context = new ActivityContext(header.TraceId, header.ParentId, header.Flags, isRemote: true);

        Assert.Equal(Trace, context.TraceId.ToHexString());
        Assert.Equal(Parent, context.SpanId.ToHexString());
        Assert.Equal(ActivityTraceFlags.Recorded, context.TraceFlags);
    }

    [Fact]
    public void TryParse_AgreesWithDotNetsOwnParserOnAValidVersion00Value()
    {
        var ok = ActivityContext.TryParse(Valid, null, out var context);

        TraceParentHeader.TryParse(Valid, out var header);

        Assert.True(ok);
        Assert.Equal(context.TraceId, header.TraceId);
        Assert.Equal(context.SpanId, header.ParentId);
        Assert.Equal(context.TraceFlags, header.Flags);
    }

    [Fact]
    public void Default_FormatsAsEmptyString()
    {
        var header = default(TraceParentHeader);
        Span<char> buffer = stackalloc char[TraceParentHeader.Length];

        var ok = header.TryFormat(buffer, out var written);

        Assert.True(ok);
        Assert.Equal(0, written);
        Assert.Equal(string.Empty, header.ToString());
        Assert.False(header.Sampled);
    }

    [Fact]
    public void TryFormat_BufferOfLength_Fits()
    {
        TraceParentHeader.TryParse(Valid, out var header);
        Span<char> buffer = stackalloc char[TraceParentHeader.Length];

        var ok = header.TryFormat(buffer, out var written);

        Assert.True(ok);
        Assert.Equal(55, TraceParentHeader.Length);
        Assert.Equal(TraceParentHeader.Length, written);
        Assert.Equal(Valid, new string(buffer));
    }

    [Fact]
    public void TryFormat_BufferOneShort_ReturnsFalseAndWritesNothing()
    {
        TraceParentHeader.TryParse(Valid, out var header);
        var buffer = new char[TraceParentHeader.Length - 1];

        var ok = header.TryFormat(buffer, out var written);

        Assert.False(ok);
        Assert.Equal(0, written);
        Assert.All(buffer, c => Assert.Equal('\0', c));
    }

    [Fact]
    public void Equals_ComparesVersionIdsAndFlags()
    {
        TraceParentHeader.TryParse(Valid, out var a);
        TraceParentHeader.TryParse(" " + Valid + " ", out var sameAsA);
        TraceParentHeader.TryParse("00-" + Trace + "-" + Parent + "-00", out var unsampled);
        TraceParentHeader.TryParse("00-" + Trace + "-" + Parent + "-03", out var extraFlag);
        TraceParentHeader.TryParse("cc-" + Trace + "-" + Parent + "-01", out var laterVersion);
        TraceParentHeader.TryParse("00-" + Trace + "-1234567890123457-01", out var otherParent);

        Assert.True(a == sameAsA);
        Assert.True(a.Equals((object)sameAsA));
        Assert.Equal(a.GetHashCode(), sameAsA.GetHashCode());
        Assert.True(a != unsampled);
        Assert.NotEqual(a, extraFlag);
        Assert.NotEqual(a, laterVersion);
        Assert.NotEqual(a, otherParent);
        Assert.False(a.Equals("not a header"));
    }

    [Fact]
    public void TryParse_ValidValue_AllocatesNothing()
    {
        var value = " " + Valid + " ";
        TraceParentHeader.TryParse(value, out _);
        Span<char> buffer = stackalloc char[TraceParentHeader.Length];
        var before = GC.GetAllocatedBytesForCurrentThread();

        var ok = TraceParentHeader.TryParse(value, out var header);
        header.TryFormat(buffer, out _);

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(ok);
    }
}
