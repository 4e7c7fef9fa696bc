using System.Diagnostics;
using TraceMiddleware.Propagation;

namespace TraceMiddleware.Tests.Propagation;

public class HexIdTests
{
    private const string TraceHex = "771a43a4192642f0b136d5159a501700";
    private const string SpanHex = "b7ad6b7169203331";

    [Fact]
    public void TryParseTraceId_LowercaseHex_ReadsBigEndianValue()
    {
        var ok = HexId.TryParseTraceId(TraceHex, out var id);

        Assert.True(ok);
        Assert.Equal(new UInt128(0x771a43a4192642f0, 0xb136d5159a501700), id);
    }

    [Fact]
    public void TryParseSpanId_LowercaseHex_ReadsBigEndianValue()
    {
        var ok = HexId.TryParseSpanId(SpanHex, out var id);

        Assert.True(ok);
        Assert.Equal(0xb7ad6b7169203331UL, id);
    }

    [Theory]
    [InlineData("")]
    [InlineData("771a43a4192642f0b136d5159a50170")]
    [InlineData("771a43a4192642f0b136d5159a5017000")]
    [InlineData("771A43A4192642F0B136D5159A501700")]
    [InlineData("771a43a4192642f0b136d5159a50170A")]
    [InlineData("771a43a4192642f0b136d5159a50170g")]
    [InlineData("771a43a4192642f0-136d5159a501700")]
    [InlineData("771a43a4192642f0b136d5159a50170 ")]
    [InlineData(" 71a43a4192642f0b136d5159a501700")]
    [InlineData("00000000000000000000000000000000")]
    public void TryParseTraceId_NotThirtyTwoLowercaseHexOrAllZero_IsRejected(string text)
    {
        var ok = HexId.TryParseTraceId(text, out var id);

        Assert.False(ok);
        Assert.Equal(UInt128.Zero, id);
    }

    [Theory]
    [InlineData("")]
    [InlineData("b7ad6b716920333")]
    [InlineData("b7ad6b71692033310")]
    [InlineData("B7AD6B7169203331")]
    [InlineData("b7ad6b716920333G")]
    [InlineData("b7ad6b71-9203331")]
    [InlineData("0000000000000000")]
    public void TryParseSpanId_NotSixteenLowercaseHexOrZero_IsRejected(string text)
    {
        var ok = HexId.TryParseSpanId(text, out var id);

        Assert.False(ok);
        Assert.Equal(0UL, id);
    }

    [Theory]
    [InlineData("00000000000000000000000000000001")]
    [InlineData("10000000000000000000000000000000")]
    [InlineData("ffffffffffffffffffffffffffffffff")]
    [InlineData("0123456789abcdef0123456789abcdef")]
    [InlineData("0000000000000000ffffffffffffffff")]
    public void TraceId_ParseThenFormat_GivesTheSameText(string text)
    {
        HexId.TryParseTraceId(text, out var id);
        Span<char> buffer = stackalloc char[HexId.TraceIdLength];

        var ok = HexId.TryFormatTraceId(id, buffer, out var written);

        Assert.True(ok);
        Assert.Equal(text, new string(buffer[..written]));
    }

    [Theory]
    [InlineData("0000000000000001")]
    [InlineData("1000000000000000")]
    [InlineData("ffffffffffffffff")]
    [InlineData("0123456789abcdef")]
    public void SpanId_ParseThenFormat_GivesTheSameText(string text)
    {
        HexId.TryParseSpanId(text, out var id);
        Span<char> buffer = stackalloc char[HexId.SpanIdLength];

        var ok = HexId.TryFormatSpanId(id, buffer, out var written);

        Assert.True(ok);
        Assert.Equal(text, new string(buffer[..written]));
    }

    [Fact]
    public void TryFormatTraceId_ZeroAndSmallValues_AreZeroPadded()
    {
        Span<char> buffer = stackalloc char[HexId.TraceIdLength];

        HexId.TryFormatTraceId(new UInt128(0, 0xab), buffer, out var written);

        Assert.Equal("000000000000000000000000000000ab", new string(buffer[..written]));
    }

    [Fact]
    public void TryFormatSpanId_ZeroAndSmallValues_AreZeroPadded()
    {
        Span<char> buffer = stackalloc char[HexId.SpanIdLength];

        HexId.TryFormatSpanId(0xab, buffer, out var written);

        Assert.Equal("00000000000000ab", new string(buffer[..written]));
    }

    [Fact]
    public void TryFormatTraceId_BufferOneShort_ReturnsFalseAndWritesNothing()
    {
        var buffer = new char[HexId.TraceIdLength - 1];

        var ok = HexId.TryFormatTraceId(UInt128.MaxValue, buffer, out var written);

        Assert.False(ok);
        Assert.Equal(0, written);
        Assert.All(buffer, c => Assert.Equal('\0', c));
    }

    [Fact]
    public void TryFormatSpanId_BufferOneShort_ReturnsFalse()
    {
        var buffer = new char[HexId.SpanIdLength - 1];

        var ok = HexId.TryFormatSpanId(ulong.MaxValue, buffer, out var written);

        Assert.False(ok);
        Assert.Equal(0, written);
    }

    [Fact]
    public void ToActivityTraceId_HasTheSameHexText()
    {
        HexId.TryParseTraceId(TraceHex, out var id);

        var activityId = HexId.ToActivityTraceId(id);

        Assert.Equal(TraceHex, activityId.ToHexString());
    }

    [Fact]
    public void ToActivitySpanId_HasTheSameHexText()
    {
        HexId.TryParseSpanId(SpanHex, out var id);

        var activityId = HexId.ToActivitySpanId(id);

        Assert.Equal(SpanHex, activityId.ToHexString());
    }

    [Fact]
    public void FromActivityTraceId_ReadsTheSameHexText()
    {
        var activityId = ActivityTraceId.CreateFromString(TraceHex);

        var id = HexId.FromActivityTraceId(activityId);

        HexId.TryParseTraceId(TraceHex, out var expected);
        Assert.Equal(expected, id);
    }

    [Fact]
    public void FromActivitySpanId_ReadsTheSameHexText()
    {
        var activityId = ActivitySpanId.CreateFromString(SpanHex);

        var id = HexId.FromActivitySpanId(activityId);

        HexId.TryParseSpanId(SpanHex, out var expected);
        Assert.Equal(expected, id);
    }

    [Fact]
    public void ActivityIds_RandomRoundTrips_KeepTheHexText()
    {
        for (var i = 0; i < 1000; i++)
        {
            var traceId = ActivityTraceId.CreateRandom();
            var spanId = ActivitySpanId.CreateRandom();

            var traceBack = HexId.ToActivityTraceId(HexId.FromActivityTraceId(traceId));
            var spanBack = HexId.ToActivitySpanId(HexId.FromActivitySpanId(spanId));

            Assert.Equal(traceId, traceBack);
            Assert.Equal(spanId, spanBack);
        }
    }

    [Fact]
    public void ToActivityIds_Zero_GiveDefault()
    {
        var traceId = HexId.ToActivityTraceId(UInt128.Zero);
        var spanId = HexId.ToActivitySpanId(0);

        Assert.Equal(default, traceId);
        Assert.Equal(default, spanId);
        // Why zero is special-cased: an id created from zero bytes does not equal default.
        Assert.NotEqual(default, ActivityTraceId.CreateFromBytes(new byte[16]));
        Assert.NotEqual(default, ActivitySpanId.CreateFromBytes(new byte[8]));
    }

    [Fact]
    public void FromActivityIds_Default_GiveZero()
    {
        var traceId = HexId.FromActivityTraceId(default);
        var spanId = HexId.FromActivitySpanId(default);

        Assert.Equal(UInt128.Zero, traceId);
        Assert.Equal(0UL, spanId);
    }

    [Theory]
    [InlineData("0", true)]
    [InlineData("0123456789abcdef", true)]
    [InlineData("", false)]
    [InlineData("A", false)]
    [InlineData("g", false)]
    [InlineData("abc-", false)]
    [InlineData(" a", false)]
    [InlineData("\u0660", false)]
    [InlineData("\uff41", false)]
    public void IsLowerHex_AcceptsOnlyNonEmptyLowercaseHex(string text, bool expected)
    {
        var result = HexId.IsLowerHex(text);

        Assert.Equal(expected, result);
    }

    [Fact]
    public void LowerHexValue_EveryChar_MatchesTheHexDigitTable()
    {
        for (var c = 0; c <= char.MaxValue; c++)
        {
            var expected = "0123456789abcdef".IndexOf((char)c, StringComparison.Ordinal);

            var value = HexId.LowerHexValue((char)c);

            Assert.Equal(expected, value);
        }
    }

    [Fact]
    public void TryParseTraceId_ValidInput_AllocatesNothing()
    {
        HexId.TryParseTraceId(TraceHex, out _);
        HexId.TryParseSpanId(SpanHex, out _);
        Span<char> buffer = stackalloc char[HexId.TraceIdLength];
        var before = GC.GetAllocatedBytesForCurrentThread();

        HexId.TryParseTraceId(TraceHex, out var traceId);
        HexId.TryParseSpanId(SpanHex, out var spanId);
        HexId.TryFormatTraceId(traceId, buffer, out _);
        HexId.TryFormatSpanId(spanId, buffer, out _);

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
