using TraceMiddleware.Propagation;

namespace TraceMiddleware.Tests.Propagation;

public class PercentEncodingTests
{
    public static TheoryData<string, string> EncodeVectors => new()
    {
        { "", "" },
        { "abcXYZ019", "abcXYZ019" },
        { "-_.!~*'()", "-_.!~*'()" },
        { "shop@1.2.3", "shop%401.2.3" },
        { "é", "%C3%A9" },
        { " ", "%20" },
        { "a+b", "a%2Bb" },
        { ",;=%", "%2C%3B%3D%25" },
        { "\r\n", "%0D%0A" },
        { "\0\u007f", "%00%7F" },
        { "/?:#[]&$\"\\", "%2F%3F%3A%23%5B%5D%26%24%22%5C" },
        { "€", "%E2%82%AC" },
        { "\u07ff\u0800\uffff", "%DF%BF%E0%A0%80%EF%BF%BF" },
        { "😀", "%F0%9F%98%80" },
        { "\U0010FFFF", "%F4%8F%BF%BF" },
    };

    [Theory]
    [MemberData(nameof(EncodeVectors))]
    public void TryEncode_MatchesEncodeUriComponent(string input, string expected)
    {
        var buffer = new char[PercentEncoding.GetEncodedLength(input)];

        var ok = PercentEncoding.TryEncode(input, buffer, out var written);

        Assert.True(ok);
        Assert.Equal(expected, new string(buffer, 0, written));
        Assert.Equal(expected.Length, written);
    }

    // Attribute arguments and discovery-time serialisation both go through UTF-8, which turns a lone
    // surrogate into U+FFFD; member data enumerated at run time keeps it.
    public static TheoryData<string> LoneSurrogates => new() { "\uD800", "\uDC00", "a\uD83Db", "\uDE00\uD83D", "\uD83D%41" };

    [Theory]
    [MemberData(nameof(LoneSurrogates), DisableDiscoveryEnumeration = true)]
    public void TryEncode_LoneSurrogate_IsRejected(string input)
    {
        var buffer = new char[64];

        var ok = PercentEncoding.TryEncode(input, buffer, out var written);

        Assert.False(ok);
        Assert.Equal(0, written);
        Assert.Equal(-1, PercentEncoding.GetEncodedLength(input));
    }

    [Theory]
    [InlineData("abc", 2)]
    [InlineData("é", 5)]
    [InlineData("😀", 11)]
    public void TryEncode_DestinationTooSmall_ReturnsFalse(string input, int size)
    {
        var ok = PercentEncoding.TryEncode(input, new char[size], out var written);

        Assert.False(ok);
        Assert.Equal(0, written);
    }

    public static TheoryData<string, string> DecodeVectors => new()
    {
        { "", "" },
        { "plain", "plain" },
        { "shop%401.2.3", "shop@1.2.3" },
        { "%C3%A9", "é" },
        { "%c3%a9", "é" },
        { "a+b", "a+b" },
        { "%20", " " },
        { "%41%42", "AB" },
        { "%F0%9F%98%80", "😀" },
        { "%F4%8F%BF%BF", "\U0010FFFF" },
        { "%EF%BF%BF", "\uffff" },
        { "é😀", "é😀" },
        { "%0D%0A", "\r\n" },
        { "%25", "%" },
        { "%2525", "%25" },
    };

    [Theory]
    [MemberData(nameof(DecodeVectors))]
    public void TryDecode_MatchesDecodeUriComponent(string input, string expected)
    {
        var buffer = new char[input.Length];

        var ok = PercentEncoding.TryDecode(input, buffer, out var written);

        Assert.True(ok);
        Assert.Equal(expected, new string(buffer, 0, written));
        Assert.True(PercentEncoding.TryGetDecodedLength(input, out var length));
        Assert.Equal(written, length);
    }

    [Theory]
    [InlineData("%")]
    [InlineData("a%")]
    [InlineData("%4")]
    [InlineData("%zz")]
    [InlineData("%z1")]
    [InlineData("%1z")]
    [InlineData("% 41")]
    [InlineData("%C3")]
    [InlineData("%C3%")]
    [InlineData("%C3%4")]
    [InlineData("%C3%41")]
    [InlineData("%C3A9")]
    [InlineData("%80")]
    [InlineData("%BF")]
    [InlineData("%C0%AF")]
    [InlineData("%C1%BF")]
    [InlineData("%E0%80%80")]
    [InlineData("%E0%9F%BF")]
    [InlineData("%E2%82")]
    [InlineData("%ED%A0%80")]
    [InlineData("%ED%BF%BF")]
    [InlineData("%F0%80%80%80")]
    [InlineData("%F0%8F%BF%BF")]
    [InlineData("%F4%90%80%80")]
    [InlineData("%F5%80%80%80")]
    [InlineData("%F8%80%80%80%80")]
    [InlineData("%FF")]
    [InlineData("%FE")]
    [MemberData(nameof(LoneSurrogates), DisableDiscoveryEnumeration = true)]
    public void TryDecode_Malformed_IsRejected(string input)
    {
        var buffer = new char[64];

        var ok = PercentEncoding.TryDecode(input, buffer, out var written);

        Assert.False(ok);
        Assert.Equal(0, written);
        Assert.False(PercentEncoding.TryGetDecodedLength(input, out _));
    }

    [Theory]
    [InlineData("abc", 2)]
    [InlineData("%41%42", 1)]
    [InlineData("%F0%9F%98%80", 1)]
    [InlineData("😀", 1)]
    public void TryDecode_DestinationTooSmall_ReturnsFalse(string input, int size)
    {
        var ok = PercentEncoding.TryDecode(input, new char[size], out var written);

        Assert.False(ok);
        Assert.Equal(0, written);
    }

    [Theory]
    [InlineData("abc", false)]
    [InlineData("a+b", false)]
    [InlineData("%41", true)]
    [InlineData("%", true)]
    public void NeedsDecoding_IsTrueOnlyWithAnEscape(string input, bool expected)
    {
        Assert.Equal(expected, PercentEncoding.NeedsDecoding(input));
    }

    [Fact]
    public void EncodeThenDecode_RandomStrings_RoundTripAndMatchUriEscaping()
    {
        var random = new Random(20240611);
        for (var n = 0; n < 10_000; n++)
        {
            var input = RandomValidString(random, random.Next(0, 24));

            var encoded = new char[PercentEncoding.GetEncodedLength(input)];
            Assert.True(PercentEncoding.TryEncode(input, encoded, out var encodedLength));
            var decoded = new char[encodedLength];
            Assert.True(PercentEncoding.TryDecode(encoded.AsSpan(0, encodedLength), decoded, out var decodedLength));

            var text = new string(encoded, 0, encodedLength);
            Assert.Equal(input, new string(decoded, 0, decodedLength));
            Assert.Equal(ExpectedEncodeUriComponent(input), text);
            Assert.Equal(input, Uri.UnescapeDataString(text));
        }
    }

    [Fact]
    public void TryDecode_RandomEscapes_NeverThrowsAndAgreesWithTryGetDecodedLength()
    {
        var random = new Random(77);
        const string alphabet = "%%%%0123456789abcdefABCDEFxz+ é\uD83D\uDE00";
        var buffer = new char[64];
        for (var n = 0; n < 20_000; n++)
        {
            var chars = new char[random.Next(0, 20)];
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = alphabet[random.Next(alphabet.Length)];
            }

            var input = new string(chars);

            var ok = PercentEncoding.TryDecode(input, buffer, out var written);

            Assert.Equal(ok, PercentEncoding.TryGetDecodedLength(input, out var length));
            if (ok)
            {
                Assert.Equal(length, written);
                var decoded = new string(buffer, 0, written);
                Assert.Equal(Uri.UnescapeDataString(input), decoded);
                Assert.True(PercentEncoding.GetEncodedLength(decoded) >= 0);
            }
        }
    }

    internal static string RandomValidString(Random random, int length)
    {
        var chars = new List<char>(length * 2);
        for (var i = 0; i < length; i++)
        {
            switch (random.Next(6))
            {
                case 0:
                    chars.Add((char)random.Next(0, 0x80));
                    break;
                case 1:
                    chars.Add((char)random.Next(0x80, 0x800));
                    break;
                case 2:
                    var c = (char)random.Next(0x800, 0x10000);
                    chars.Add(char.IsSurrogate(c) ? 'x' : c);
                    break;
                case 3:
                    var s = char.ConvertFromUtf32(random.Next(0x10000, 0x110000));
                    chars.Add(s[0]);
                    chars.Add(s[1]);
                    break;
                default:
                    const string specials = ",;=% \t-_.!~*'()";
                    chars.Add(specials[random.Next(specials.Length)]);
                    break;
            }
        }

        return new string(chars.ToArray());
    }

    // Uri.EscapeDataString escapes exactly the RFC 3986 reserved set, JS additionally leaves !*'() alone.
    private static string ExpectedEncodeUriComponent(string input) =>
        Uri.EscapeDataString(input)
            .Replace("%21", "!", StringComparison.Ordinal)
            .Replace("%2A", "*", StringComparison.Ordinal)
            .Replace("%27", "'", StringComparison.Ordinal)
            .Replace("%28", "(", StringComparison.Ordinal)
            .Replace("%29", ")", StringComparison.Ordinal);
}
