using System.Diagnostics;
using TraceMiddleware.Propagation;

namespace TraceMiddleware.Tests.Propagation;

public class SentryTraceHeaderTests
{
    private const string Trace = "771a43a4192642f0b136d5159a501700";
    private const string Span = "b7ad6b7169203331";
    private const string ZeroTrace = "00000000000000000000000000000000";
    private const string ZeroSpan = "0000000000000000";

    public static TheoryData<string, string?, bool?> AcceptedValues => new()
    {
        { $"{Trace}-{Span}-1", Span, true },
        { $"{Trace}-{Span}-0", Span, false },
        { $"{Trace}-{Span}", Span, null },
        { $" {Trace}-{Span}-1", Span, true },
        { $"\t{Trace}-{Span}-1", Span, true },
        { $"{Trace}-{Span}-1 ", Span, true },
        { $"{Trace}-{Span}-1\t", Span, true },
        { $" \t {Trace}-{Span}-0\t \t", Span, false },
        // The JS regex makes both dashes optional.
        { $"{Trace}{Span}", Span, null },
        { $"{Trace}{Span}1", Span, true },
        { $"{Trace}-{Span}1", Span, true },
        { $"{Trace}{Span}-0", Span, false },
        { $"{Trace}-{Span}-", Span, null },
        // A trace id alone is a match whose span group is absent.
        { Trace, null, null },
        { $"{Trace}-", null, null },
        { $"{Trace}--", null, null },
        { $"{Trace}-1", null, true },
        { $"{Trace}1", null, true },
        { $"{Trace}--0", null, false },
        { $" {Trace} ", null, null },
    };

    [Theory]
    [MemberData(nameof(AcceptedValues))]
    public void TryParse_ValuesTheJsRegexMatches_AreAccepted(string value, string? span, bool? sampled)
    {
        var ok = SentryTraceHeader.TryParse(value, out var header);

        Assert.True(ok);
        Assert.Equal(Trace, header.TraceId.ToHexString());
        Assert.Equal(span is not null, header.HasSpanId);
        Assert.Equal(span ?? ZeroSpan, header.SpanId.ToHexString());
        Assert.Equal(sampled, header.Sampled);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData(" \t ")]
    [InlineData("-")]
    [InlineData("-1")]
    [InlineData("1")]
    [InlineData(Span)]
    [InlineData(Span + "-1")]
    [InlineData("-" + Span + "-1")]
    public void TryParse_NoTraceId_IsRejectedSoANewTraceStarts(string value)
    {
        var ok = SentryTraceHeader.TryParse(value, out var header);

        Assert.False(ok);
        Assert.Equal(default, header);
    }

    [Theory]
    [InlineData("771A43A4192642F0B136D5159A501700-b7ad6b7169203331-1")]
    [InlineData("771a43a4192642f0b136d5159a50170A-b7ad6b7169203331-1")]
    [InlineData("771a43a4192642f0b136d5159a501700-B7AD6B7169203331-1")]
    [InlineData("771a43a4192642f0b136d5159a501700-b7ad6b716920333F-1")]
    public void TryParse_UppercaseHex_IsRejected(string value)
    {
        var ok = SentryTraceHeader.TryParse(value, out _);

        Assert.False(ok);
    }

    [Theory]
    [InlineData(ZeroTrace + "-" + Span + "-1")]
    [InlineData(ZeroTrace)]
    [InlineData(Trace + "-" + ZeroSpan + "-1")]
    [InlineData(Trace + "-" + ZeroSpan)]
    [InlineData(ZeroTrace + "-" + ZeroSpan)]
    public void TryParse_AllZeroId_IsRejected(string value)
    {
        var ok = SentryTraceHeader.TryParse(value, out _);

        Assert.False(ok);
    }

    [Theory]
    [InlineData("771a43a4192642f0b136d5159a50170-b7ad6b7169203331-1")]
    [InlineData("771a43a4192642f0b136d5159a5017000-b7ad6b7169203331-1")]
    [InlineData("771a43a4192642f0b136d5159a501700-b7ad6b716920333-1")]
    [InlineData("771a43a4192642f0b136d5159a501700-b7ad6b71692033310-1")]
    [InlineData("771a43a4192642f0b136d5159a501700-b7ad6b7169203331ab")]
    [InlineData("771a43a4192642f0b136d5159a501700-b7ad")]
    public void TryParse_WrongIdLength_IsRejected(string value)
    {
        var ok = SentryTraceHeader.TryParse(value, out _);

        Assert.False(ok);
    }

    [Theory]
    [InlineData(Trace + "-" + Span + "-2")]
    [InlineData(Trace + "-" + Span + "-01")]
    [InlineData(Trace + "-" + Span + "-11")]
    [InlineData(Trace + "-" + Span + "-true")]
    [InlineData(Trace + "-" + Span + "-1-")]
    [InlineData(Trace + "-" + Span + "-1x")]
    [InlineData(Trace + "-" + Span + "-1 x")]
    [InlineData(Trace + "-" + Span + "--1")]
    [InlineData(Trace + "---1")]
    [InlineData(Trace + "-" + Span + "-1\n")]
    [InlineData(Trace + "-" + Span + "-1\r\n")]
    [InlineData("\n" + Trace + "-" + Span + "-1")]
    [InlineData("\u00a0" + Trace + "-" + Span + "-1")]
    [InlineData(Trace + "-" + Span + "-1\u00a0")]
    [InlineData(Trace + " -" + Span + "-1")]
    [InlineData(Trace + "- " + Span + "-1")]
    [InlineData(Trace + "-" + Span + " -1")]
    [InlineData(Trace + "-" + Span + "- 1")]
    [InlineData(Trace + "_" + Span + "_1")]
    [InlineData(Trace + "-" + Span + ",1")]
    [InlineData("771a43a4192642f0b136d5159a50170g-b7ad6b7169203331-1")]
    [InlineData("771a43a4192642f0b136d5159a501700-b7ad6b716920333g-1")]
    [InlineData("771a43a4192642f0b136d5159a501700-b7ad6b7169203331-1," + Trace + "-" + Span + "-1")]
    [InlineData("00-" + Trace + "-" + Span + "-01")]
    public void TryParse_AnythingElse_IsRejected(string value)
    {
        var ok = SentryTraceHeader.TryParse(value, out _);

        Assert.False(ok);
    }

    [Fact]
    public void TryParse_StructuredCombinations_AgreeWithTheJsRegex()
    {
        string[] prefixes = ["", " ", "\t ", "x", "-"];
        string[] traces = ["", Trace, Trace[..31], Trace + "a", Trace.ToUpperInvariant(), ZeroTrace];
        string[] separators = ["", "-", "--"];
        string[] spans = ["", Span, Span[..15], Span + "1", Span.ToUpperInvariant(), ZeroSpan];
        string[] flags = ["", "0", "1", "2", "01"];
        string[] suffixes = ["", " \t", "\n", "x", "-"];
        var checkedCount = 0;

        foreach (var prefix in prefixes)
        foreach (var trace in traces)
        foreach (var separator1 in separators)
        foreach (var span in spans)
        foreach (var separator2 in separators)
        foreach (var flag in flags)
        foreach (var suffix in suffixes)
        {
            var value = prefix + trace + separator1 + span + separator2 + flag + suffix;

            var expected = SentryTraceRegexOracle.TryParse(value, out var traceId, out var spanId, out var sampled);
            var ok = SentryTraceHeader.TryParse(value, out var header);

            Assert.True(expected == ok, $"'{value}': expected {expected}, got {ok}");
            if (ok)
            {
                Assert.Equal(traceId, header.TraceId.ToHexString());
                Assert.Equal(spanId is not null, header.HasSpanId);
                Assert.Equal(spanId ?? ZeroSpan, header.SpanId.ToHexString());
                Assert.Equal(sampled, header.Sampled);
            }

            checkedCount++;
        }

        Assert.Equal(5 * 6 * 3 * 6 * 3 * 5 * 5, checkedCount);
    }

    [Theory]
    [InlineData(true, Trace + "-" + Span + "-1")]
    [InlineData(false, Trace + "-" + Span + "-0")]
    [InlineData(null, Trace + "-" + Span)]
    public void ToString_WritesTheFlagOnlyWhenADecisionExists(bool? sampled, string expected)
    {
        var header = new SentryTraceHeader(
            ActivityTraceId.CreateFromString(Trace), ActivitySpanId.CreateFromString(Span), sampled);

        var text = header.ToString();

        Assert.Equal(expected, text);
    }

    [Theory]
    [InlineData(true, Trace + "-1")]
    [InlineData(false, Trace + "-0")]
    [InlineData(null, Trace)]
    public void ToString_WithoutSpanId_WritesTraceIdAndFlag(bool? sampled, string expected)
    {
        var header = new SentryTraceHeader(ActivityTraceId.CreateFromString(Trace), default, sampled);

        var text = header.ToString();

        Assert.Equal(expected, text);
        Assert.False(header.HasSpanId);
        Assert.True(SentryTraceHeader.TryParse(text, out var back));
        Assert.Equal(header, back);
    }

    [Theory]
    [InlineData(Trace + "-" + Span + "-1")]
    [InlineData(Trace + "-" + Span + "-0")]
    [InlineData(Trace + "-" + Span)]
    [InlineData(Trace)]
    [InlineData(Trace + "-1")]
    [InlineData(Trace + "-0")]
    public void ToString_OfAParsedCanonicalValue_GivesTheSameText(string value)
    {
        SentryTraceHeader.TryParse(value, out var header);

        var text = header.ToString();

        Assert.Equal(value, text);
    }

    [Theory]
    [InlineData(" " + Trace + Span + "1\t", Trace + "-" + Span + "-1")]
    [InlineData(Trace + "--", Trace)]
    [InlineData(Trace + "1", Trace + "-1")]
    [InlineData(Trace + "-" + Span + "-", Trace + "-" + Span)]
    public void ToString_OfALenientValue_IsCanonicalAndParsesToTheSameHeader(string value, string canonical)
    {
        SentryTraceHeader.TryParse(value, out var header);

        var text = header.ToString();

        Assert.Equal(canonical, text);
        Assert.True(SentryTraceHeader.TryParse(text, out var back));
        Assert.Equal(header, back);
    }

    [Fact]
    public void Constructor_KeepsTheIdsAndDecision()
    {
        var traceId = ActivityTraceId.CreateRandom();
        var spanId = ActivitySpanId.CreateRandom();

        var header = new SentryTraceHeader(traceId, spanId, false);

        Assert.Equal(traceId, header.TraceId);
        Assert.Equal(spanId, header.SpanId);
        Assert.True(header.HasSpanId);
        Assert.False(header.Sampled);
        Assert.Equal(HexId.FromActivityTraceId(traceId), header.TraceIdValue);
        Assert.Equal(HexId.FromActivitySpanId(spanId), header.SpanIdValue);
    }

    [Fact]
    public void Constructor_AllZeroTraceId_Throws()
    {
        // CreateFromString refuses all zeros; CreateFromBytes does not.
        var zero = ActivityTraceId.CreateFromBytes(new byte[16]);

        var error = Assert.Throws<ArgumentException>(() => new SentryTraceHeader(zero, ActivitySpanId.CreateRandom(), true));

        Assert.Equal("traceId", error.ParamName);
    }

    [Fact]
    public void Constructor_DefaultTraceId_Throws()
    {
        Assert.Throws<ArgumentException>(() => new SentryTraceHeader(default, ActivitySpanId.CreateRandom(), true));
    }

    [Fact]
    public void Default_FormatsAsEmptyString()
    {
        var header = default(SentryTraceHeader);
        Span<char> buffer = stackalloc char[SentryTraceHeader.MaxLength];

        var ok = header.TryFormat(buffer, out var written);

        Assert.True(ok);
        Assert.Equal(0, written);
        Assert.Equal(string.Empty, header.ToString());
        Assert.False(header.HasSpanId);
        Assert.Null(header.Sampled);
    }

    [Fact]
    public void TryFormat_BufferOfMaxLength_FitsTheLongestValue()
    {
        SentryTraceHeader.TryParse($"{Trace}-{Span}-1", out var header);
        Span<char> buffer = stackalloc char[SentryTraceHeader.MaxLength];

        var ok = header.TryFormat(buffer, out var written);

        Assert.True(ok);
        Assert.Equal(SentryTraceHeader.MaxLength, written);
        Assert.Equal(51, SentryTraceHeader.MaxLength);
    }

    [Theory]
    [InlineData(Trace + "-" + Span + "-1")]
    [InlineData(Trace + "-" + Span)]
    [InlineData(Trace + "-0")]
    [InlineData(Trace)]
    public void TryFormat_BufferOneShort_ReturnsFalseAndWritesNothing(string value)
    {
        SentryTraceHeader.TryParse(value, out var header);
        var buffer = new char[value.Length - 1];

        var ok = header.TryFormat(buffer, out var written);

        Assert.False(ok);
        Assert.Equal(0, written);
        Assert.All(buffer, c => Assert.Equal('\0', c));
    }

    [Fact]
    public void Equals_ComparesIdsAndDecision()
    {
        SentryTraceHeader.TryParse($"{Trace}-{Span}-1", out var a);
        SentryTraceHeader.TryParse($" {Trace}{Span}1 ", out var sameAsA);
        SentryTraceHeader.TryParse($"{Trace}-{Span}-0", out var otherDecision);
        SentryTraceHeader.TryParse($"{Trace}-{Span}", out var deferred);
        SentryTraceHeader.TryParse($"{Trace}-1", out var noSpan);

        Assert.True(a == sameAsA);
        Assert.True(a.Equals((object)sameAsA));
        Assert.Equal(a.GetHashCode(), sameAsA.GetHashCode());
        Assert.True(a != otherDecision);
        Assert.NotEqual(a, deferred);
        Assert.NotEqual(otherDecision, deferred);
        Assert.NotEqual(a, noSpan);
        Assert.False(a.Equals("not a header"));
    }

    [Fact]
    public void TryParse_ValidValue_AllocatesNothing()
    {
        var value = $" {Trace}-{Span}-1 ";
        SentryTraceHeader.TryParse(value, out _);
        Span<char> buffer = stackalloc char[SentryTraceHeader.MaxLength];
        var before = GC.GetAllocatedBytesForCurrentThread();

        var ok = SentryTraceHeader.TryParse(value, out var header);
        header.TryFormat(buffer, out _);

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(ok);
    }
}
