using System.Buffers;

namespace TraceMiddleware.Propagation;

/// <summary>
/// Percent-encoding exactly as JavaScript's <c>encodeURIComponent</c> / <c>decodeURIComponent</c> do it,
/// because that is what the Sentry JS SDKs put into and read out of <c>baggage</c>.
/// </summary>
/// <remarks>
/// <see cref="Uri.EscapeDataString(string)"/> is not a substitute: it also escapes <c>! * ' ( )</c>,
/// which JS leaves alone, so a header would stop round-tripping byte for byte. Every method works on
/// spans and allocates nothing.
/// </remarks>
internal static class PercentEncoding
{
    private const string UpperHex = "0123456789ABCDEF";

    // A range SearchValues is vectorised and allocation-free; MemoryExtensions.IndexOfAnyInRange allocated
    // 96 bytes a call here (.NET 10.0.4xx).
    private static readonly SearchValues<char> s_surrogates =
        SearchValues.Create(string.Create(0xE000 - 0xD800, 0, static (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = (char)(0xD800 + i);
            }
        }));

    private static readonly SearchValues<char> s_unreserved =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()");

    /// <summary>Whether <paramref name="s"/> contains an escape, i.e. decoding could change it.</summary>
    public static bool NeedsDecoding(ReadOnlySpan<char> s) => s.Contains('%');

    /// <summary>
    /// Decodes like <c>decodeURIComponent</c>: <c>%XX</c> runs are UTF-8 bytes, <c>+</c> stays a plus.
    /// </summary>
    /// <returns>
    /// <see langword="false"/> for a malformed escape, invalid UTF-8 (overlong, encoded surrogate, above
    /// U+10FFFF, stray or missing continuation byte), a lone surrogate in the unescaped text (JS would
    /// accept it here and then throw when encoding it again), or a destination that is too small.
    /// The decoded text is never longer than the input.
    /// </returns>
    public static bool TryDecode(ReadOnlySpan<char> s, Span<char> dest, out int written)
    {
        written = 0;

        // Most text has no escape and no surrogate: it decodes to itself, copied in one go.
        var i = IndexOfEscapeOrSurrogate(s);
        if (i < 0)
        {
            i = s.Length;
        }

        if (i > dest.Length)
        {
            return false;
        }

        s[..i].CopyTo(dest);
        written = i;
        while (i < s.Length)
        {
            var c = s[i];
            if (c != '%')
            {
                if (char.IsHighSurrogate(c))
                {
                    if (i + 1 >= s.Length || !char.IsLowSurrogate(s[i + 1]) || written + 2 > dest.Length)
                    {
                        written = 0;
                        return false;
                    }

                    dest[written++] = c;
                    dest[written++] = s[i + 1];
                    i += 2;
                    continue;
                }

                if (char.IsLowSurrogate(c) || written >= dest.Length)
                {
                    written = 0;
                    return false;
                }

                dest[written++] = c;
                i++;
                continue;
            }

            if (!TryDecodeCodePoint(s, ref i, out var codePoint))
            {
                written = 0;
                return false;
            }

            if (codePoint < 0x10000)
            {
                if (written >= dest.Length)
                {
                    written = 0;
                    return false;
                }

                dest[written++] = (char)codePoint;
            }
            else
            {
                if (written + 2 > dest.Length)
                {
                    written = 0;
                    return false;
                }

                var v = codePoint - 0x10000;
                dest[written++] = (char)(0xD800 + (v >> 10));
                dest[written++] = (char)(0xDC00 + (v & 0x3FF));
            }
        }

        return true;
    }

    /// <summary>
    /// Validates <paramref name="s"/> as <see cref="TryDecode"/> would and returns the decoded length,
    /// so a parser can reject a member without a buffer to decode into.
    /// </summary>
    public static bool TryGetDecodedLength(ReadOnlySpan<char> s, out int length)
    {
        // Text before the first escape or surrogate decodes to itself, one char each.
        var i = IndexOfEscapeOrSurrogate(s);
        if (i < 0)
        {
            length = s.Length;
            return true;
        }

        length = i;
        while (i < s.Length)
        {
            var c = s[i];
            if (c != '%')
            {
                if (char.IsHighSurrogate(c))
                {
                    if (i + 1 >= s.Length || !char.IsLowSurrogate(s[i + 1]))
                    {
                        length = 0;
                        return false;
                    }

                    length += 2;
                    i += 2;
                    continue;
                }

                if (char.IsLowSurrogate(c))
                {
                    length = 0;
                    return false;
                }

                length++;
                i++;
                continue;
            }

            if (!TryDecodeCodePoint(s, ref i, out var codePoint))
            {
                length = 0;
                return false;
            }

            length += codePoint < 0x10000 ? 1 : 2;
        }

        return true;
    }

    /// <summary>Whether <paramref name="s"/> contains a UTF-16 surrogate (vectorised).</summary>
    internal static bool ContainsSurrogate(ReadOnlySpan<char> s) => s.ContainsAny(s_surrogates);

    /// <summary>The index of the first <c>%</c> or UTF-16 surrogate, or -1: both searches are vectorised.</summary>
    internal static int IndexOfEscapeOrSurrogate(ReadOnlySpan<char> s)
    {
        var percent = s.IndexOf('%');
        var surrogate = (percent < 0 ? s : s[..percent]).IndexOfAny(s_surrogates);
        return surrogate >= 0 ? surrogate : percent;
    }

    /// <summary>
    /// The length <see cref="TryEncode"/> produces for <paramref name="s"/>, or -1 when it contains a lone
    /// surrogate (which <c>encodeURIComponent</c> rejects with a <c>URIError</c>).
    /// </summary>
    public static int GetEncodedLength(ReadOnlySpan<char> s)
    {
        // The unreserved prefix (usually all of it) encodes to itself.
        var start = s.IndexOfAnyExcept(s_unreserved);
        if (start < 0)
        {
            return s.Length;
        }

        var length = start;
        for (var i = start; i < s.Length; i++)
        {
            var c = s[i];
            if (IsUnreserved(c))
            {
                length++;
            }
            else if (c < 0x80)
            {
                length += 3;
            }
            else if (c < 0x800)
            {
                length += 6;
            }
            else if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= s.Length || !char.IsLowSurrogate(s[i + 1]))
                {
                    return -1;
                }

                length += 12;
                i++;
            }
            else if (char.IsLowSurrogate(c))
            {
                return -1;
            }
            else
            {
                length += 9;
            }
        }

        return length;
    }

    /// <summary>
    /// Encodes like <c>encodeURIComponent</c>: <c>A-Z a-z 0-9 - _ . ! ~ * ' ( )</c> stay as they are,
    /// everything else becomes its UTF-8 bytes as <c>%XX</c> with uppercase hex.
    /// </summary>
    /// <returns><see langword="false"/> for a lone surrogate or a destination that is too small.</returns>
    public static bool TryEncode(ReadOnlySpan<char> s, Span<char> dest, out int written)
    {
        written = 0;
        var start = s.IndexOfAnyExcept(s_unreserved);
        if (start < 0)
        {
            start = s.Length;
        }

        if (start > dest.Length)
        {
            return false;
        }

        s[..start].CopyTo(dest);
        written = start;
        for (var i = start; i < s.Length; i++)
        {
            var c = s[i];
            if (IsUnreserved(c))
            {
                if (written >= dest.Length)
                {
                    written = 0;
                    return false;
                }

                dest[written++] = c;
                continue;
            }

            int codePoint = c;
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= s.Length || !char.IsLowSurrogate(s[i + 1]))
                {
                    written = 0;
                    return false;
                }

                codePoint = char.ConvertToUtf32(c, s[i + 1]);
                i++;
            }
            else if (char.IsLowSurrogate(c))
            {
                written = 0;
                return false;
            }

            if (!TryWriteUtf8Escaped(codePoint, dest, ref written))
            {
                written = 0;
                return false;
            }
        }

        return true;
    }

    internal static bool IsUnreserved(char c) =>
        c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9')
            or '-' or '_' or '.' or '!' or '~' or '*' or '\'' or '(' or ')';

    private static bool TryWriteUtf8Escaped(int codePoint, Span<char> dest, ref int written)
    {
        if (codePoint < 0x80)
        {
            return TryWriteByte(codePoint, dest, ref written);
        }

        if (codePoint < 0x800)
        {
            return TryWriteByte(0xC0 | (codePoint >> 6), dest, ref written)
                && TryWriteByte(0x80 | (codePoint & 0x3F), dest, ref written);
        }

        if (codePoint < 0x10000)
        {
            return TryWriteByte(0xE0 | (codePoint >> 12), dest, ref written)
                && TryWriteByte(0x80 | ((codePoint >> 6) & 0x3F), dest, ref written)
                && TryWriteByte(0x80 | (codePoint & 0x3F), dest, ref written);
        }

        return TryWriteByte(0xF0 | (codePoint >> 18), dest, ref written)
            && TryWriteByte(0x80 | ((codePoint >> 12) & 0x3F), dest, ref written)
            && TryWriteByte(0x80 | ((codePoint >> 6) & 0x3F), dest, ref written)
            && TryWriteByte(0x80 | (codePoint & 0x3F), dest, ref written);
    }

    private static bool TryWriteByte(int b, Span<char> dest, ref int written)
    {
        if (written + 3 > dest.Length)
        {
            return false;
        }

        dest[written] = '%';
        dest[written + 1] = UpperHex[b >> 4];
        dest[written + 2] = UpperHex[b & 0xF];
        written += 3;
        return true;
    }

    // Reads one escaped code point starting at the '%' at s[i]; the rules are the ones ECMAScript's
    // Decode operation applies (RFC 3629 UTF-8), so whatever JS throws on, this rejects.
    private static bool TryDecodeCodePoint(ReadOnlySpan<char> s, ref int i, out int codePoint)
    {
        codePoint = 0;
        if (!TryReadEscapedByte(s, i, out var lead))
        {
            return false;
        }

        i += 3;
        if (lead < 0x80)
        {
            codePoint = lead;
            return true;
        }

        int continuationCount;
        int min;
        int max;
        if (lead is >= 0xC2 and <= 0xDF)
        {
            continuationCount = 1;
            codePoint = lead & 0x1F;
            (min, max) = (0x80, 0xBF);
        }
        else if (lead is >= 0xE0 and <= 0xEF)
        {
            continuationCount = 2;
            codePoint = lead & 0x0F;
            // E0 would be overlong below A0; ED would encode a UTF-16 surrogate from A0 on.
            (min, max) = lead switch { 0xE0 => (0xA0, 0xBF), 0xED => (0x80, 0x9F), _ => (0x80, 0xBF) };
        }
        else if (lead is >= 0xF0 and <= 0xF4)
        {
            continuationCount = 3;
            codePoint = lead & 0x07;
            // F0 would be overlong below 90; F4 from 90 on is above U+10FFFF.
            (min, max) = lead switch { 0xF0 => (0x90, 0xBF), 0xF4 => (0x80, 0x8F), _ => (0x80, 0xBF) };
        }
        else
        {
            return false;
        }

        for (var k = 0; k < continuationCount; k++)
        {
            if (!TryReadEscapedByte(s, i, out var b) || b < min || b > max)
            {
                return false;
            }

            codePoint = (codePoint << 6) | (b & 0x3F);
            i += 3;
            (min, max) = (0x80, 0xBF);
        }

        return true;
    }

    private static bool TryReadEscapedByte(ReadOnlySpan<char> s, int i, out int value)
    {
        value = 0;
        if (i + 2 >= s.Length || s[i] != '%')
        {
            return false;
        }

        var high = HexValue(s[i + 1]);
        var low = HexValue(s[i + 2]);
        if (high < 0 || low < 0)
        {
            return false;
        }

        value = (high << 4) | low;
        return true;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
