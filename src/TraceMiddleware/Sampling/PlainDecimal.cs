using System.Globalization;

namespace TraceMiddleware.Sampling;

/// <summary>
/// Parses the decimal numbers of <c>sample_rand</c> and <c>sample_rate</c> as <see cref="double.TryParse(ReadOnlySpan{char}, NumberStyles, IFormatProvider, out double)"/>
/// does (invariant, sign, decimal point, exponent), with a fast path for what every SDK writes: digits, an
/// optional point and more digits.
/// </summary>
/// <remarks>
/// The fast path takes the digits as one integer <c>m</c> and divides by <c>10^n</c> (n the number of
/// decimals). When <c>m ≤ 2^53</c> and <c>n ≤ 22</c>, both are exact doubles and the one IEEE division is
/// correctly rounded, so the result is the double nearest the decimal: bit for bit what the general parser
/// returns (Clinger's fast path). Anything else goes to the general parser.
/// Kept because it pays per request: <c>sample_rand</c> is read twice and <c>sample_rate</c> once, and
/// FastPathBenchmarks ("decimals") measured those three parses at 79 ns against 277 ns with
/// <see cref="double.TryParse(ReadOnlySpan{char}, NumberStyles, IFormatProvider, out double)"/> alone.
/// </remarks>
internal static class PlainDecimal
{
    private const NumberStyles Style = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;

    private const ulong MaxExactMantissa = 1UL << 53;

    private static readonly double[] s_powersOfTen =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    /// <summary>Parses <paramref name="s"/>; the result equals the general parser's, including for text it rejects.</summary>
    /// <param name="s">The text.</param>
    /// <param name="value">The number.</param>
    /// <returns>Whether <paramref name="s"/> is a number.</returns>
    public static bool TryParse(ReadOnlySpan<char> s, out double value)
    {
        if (TryParseFast(s, out value))
        {
            return true;
        }

        return double.TryParse(s, Style, CultureInfo.InvariantCulture, out value);
    }

    private static bool TryParseFast(ReadOnlySpan<char> s, out double value)
    {
        value = 0;
        ulong mantissa = 0;
        var digits = 0;
        var decimals = -1;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            var digit = (uint)(c - '0');
            if (digit <= 9)
            {
                // 19 digits always fit in a ulong; a longer mantissa goes to the general parser.
                if (++digits > 19)
                {
                    return false;
                }

                mantissa = (mantissa * 10) + digit;
                if (decimals >= 0)
                {
                    decimals++;
                }
            }
            else if (c == '.' && decimals < 0)
            {
                decimals = 0;
            }
            else
            {
                return false;
            }
        }

        // "", ".", "5.", ".5": the general parser decides (it takes the last two).
        if (digits == 0 || decimals == 0 || (decimals > 0 && s[0] == '.'))
        {
            return false;
        }

        decimals = Math.Max(decimals, 0);
        if (mantissa > MaxExactMantissa || decimals >= s_powersOfTen.Length)
        {
            return false;
        }

        value = mantissa / s_powersOfTen[decimals];
        return true;
    }
}
