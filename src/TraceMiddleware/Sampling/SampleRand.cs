namespace TraceMiddleware.Sampling;

/// <summary>
/// The trace's random number <c>sample_rand</c> in [0, 1): parsed from <c>sentry-sample_rand</c>, drawn, or
/// derived from an incoming decision, and written with at most <see cref="Decimals"/> decimals.
/// </summary>
/// <remarks>
/// Values this service produces lie on the six-decimal grid (<c>k / 1_000_000</c>), so the number that is
/// compared with a rate is exactly the number that is sent. A value from elsewhere that is not on the grid
/// is first brought onto it with <see cref="Normalize"/>, which rounds down, never up to 1.
/// </remarks>
internal static class SampleRand
{
    /// <summary>The most decimals written.</summary>
    public const int Decimals = 6;

    /// <summary>The longest text <see cref="TryParse"/> considers (longer text is rejected).</summary>
    public const int MaxLength = 64;

    /// <summary>The longest text <see cref="TryFormat"/> writes: <c>0.123456</c>.</summary>
    public const int MaxFormattedLength = 2 + Decimals;

    /// <summary>The number of grid steps in [0, 1): <c>10^Decimals</c>.</summary>
    public const int GridSize = 1_000_000;

    /// <summary>The largest value on the grid: 0.999999.</summary>
    public const double MaxValue = (GridSize - 1) / (double)GridSize;

    /// <summary>Parses a <c>sample_rand</c>: an invariant decimal number, finite, with 0 ≤ value &lt; 1.</summary>
    /// <param name="s">The text, such as <c>0.3276234201731898</c>; no surrounding whitespace.</param>
    /// <param name="value">The number, at full precision (not normalized).</param>
    /// <returns><see langword="true"/> when <paramref name="s"/> is a valid <c>sample_rand</c>.</returns>
    public static bool TryParse(ReadOnlySpan<char> s, out double value)
    {
        value = 0;
        if (s.IsEmpty || s.Length > MaxLength
            || !PlainDecimal.TryParse(s, out var parsed)
            || !double.IsFinite(parsed) || parsed < 0 || parsed >= 1)
        {
            return false;
        }

        // "-0" is a valid zero; keep the sign out of everything that follows.
        value = parsed == 0 ? 0 : parsed;
        return true;
    }

    /// <summary>Draws a uniform value on the six-decimal grid; never 1.</summary>
    /// <returns>A value in [0, 0.999999].</returns>
    public static double Generate() => Random.Shared.Next(0, GridSize) / (double)GridSize;

    /// <summary>
    /// Derives a <c>sample_rand</c> consistent with an incoming decision taken at <paramref name="rate"/>, for an
    /// incoming trace that carries a rate and a decision but no <c>sample_rand</c>.
    /// </summary>
    /// <param name="sampled">The incoming decision.</param>
    /// <param name="rate">The incoming <c>sample_rate</c>, in (0, 1].</param>
    /// <param name="random">A uniform random value in [0, 1).</param>
    /// <returns>
    /// Sampled: <c>random × rate</c> rounded down to the grid, so it stays below <paramref name="rate"/>.
    /// Unsampled: <c>rate + random × (1 − rate)</c> rounded up to the grid, so it stays at or above
    /// <paramref name="rate"/>, capped at <see cref="MaxValue"/> (a rate above 0.999999 cannot be represented).
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rate"/> or <paramref name="random"/> is out of range.</exception>
    public static double Derive(bool sampled, double rate, double random)
    {
        if (!(rate > 0 && rate <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "The rate must be in (0, 1].");
        }

        if (!(random >= 0 && random < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(random), random, "The random value must be in [0, 1).");
        }

        if (sampled)
        {
            var k = FloorToGrid(random * rate);
            // Floating-point error may put the grid value on the rate itself; step below it.
            while (k > 0 && k / (double)GridSize >= rate)
            {
                k--;
            }

            return k / (double)GridSize;
        }

        var up = CeilToGrid(rate + (random * (1 - rate)));
        while (up < GridSize - 1 && up / (double)GridSize < rate)
        {
            up++;
        }

        return Math.Min(up, GridSize - 1) / (double)GridSize;
    }

    /// <summary>
    /// The grid value that <see cref="TryFormat"/> writes for <paramref name="value"/>: the largest
    /// <c>k / 1_000_000</c> not above it. A value already on the grid is returned unchanged.
    /// </summary>
    /// <param name="value">A value in [0, 1).</param>
    /// <returns>The value that is sent, and therefore the value to decide with.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is not in [0, 1).</exception>
    public static double Normalize(double value) => ToGridIndex(value) / (double)GridSize;

    /// <summary>Writes <paramref name="value"/> with at most six decimals and no trailing zeros: <c>0</c>, <c>0.5</c>, <c>0.123456</c>.</summary>
    /// <param name="value">A value in [0, 1); one off the grid is written as <see cref="Normalize"/> gives it.</param>
    /// <param name="destination">Where to write; <see cref="MaxFormattedLength"/> characters always suffice.</param>
    /// <param name="charsWritten">The number of characters written.</param>
    /// <returns><see langword="false"/> when <paramref name="destination"/> is too small.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is not in [0, 1).</exception>
    public static bool TryFormat(double value, Span<char> destination, out int charsWritten)
    {
        charsWritten = 0;
        var k = ToGridIndex(value);
        if (k == 0)
        {
            if (destination.IsEmpty)
            {
                return false;
            }

            destination[0] = '0';
            charsWritten = 1;
            return true;
        }

        var digits = Decimals;
        while (k % 10 == 0)
        {
            k /= 10;
            digits--;
        }

        var length = 2 + digits;
        if (destination.Length < length)
        {
            return false;
        }

        destination[0] = '0';
        destination[1] = '.';
        for (var i = length - 1; i >= 2; i--)
        {
            destination[i] = (char)('0' + (k % 10));
            k /= 10;
        }

        charsWritten = length;
        return true;
    }

    /// <summary>Writes <paramref name="value"/> as <see cref="TryFormat"/> does.</summary>
    /// <param name="value">A value in [0, 1).</param>
    /// <returns>The text, such as <c>0.5</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is not in [0, 1).</exception>
    public static string Format(double value)
    {
        Span<char> buffer = stackalloc char[MaxFormattedLength];
        TryFormat(value, buffer, out var written);
        return new string(buffer[..written]);
    }

    private static int ToGridIndex(double value)
    {
        if (!(value >= 0 && value < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "A sample_rand must be in [0, 1).");
        }

        return Math.Min(FloorToGrid(value), GridSize - 1);
    }

    // The largest k with k / 10^6 <= value. Rounding first and then correcting keeps a value parsed from
    // "0.123456" at 123456 even when value × 10^6 lands a hair below it, where Math.Floor alone would not.
    private static int FloorToGrid(double value)
    {
        var k = (int)Math.Round(value * GridSize);
        return k / (double)GridSize > value ? k - 1 : k;
    }

    // The smallest k with k / 10^6 >= value.
    private static int CeilToGrid(double value)
    {
        var k = (int)Math.Round(value * GridSize);
        return k / (double)GridSize < value ? k + 1 : k;
    }
}
