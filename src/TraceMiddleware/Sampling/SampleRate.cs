namespace TraceMiddleware.Sampling;

/// <summary>Reads an incoming <c>sentry-sample_rate</c>: the rate the head of the trace sampled with.</summary>
internal static class SampleRate
{
    /// <summary>The longest text <see cref="TryParse"/> considers (longer text is rejected).</summary>
    public const int MaxLength = 64;

    /// <summary>Parses a rate: an invariant decimal number, finite, with 0 ≤ value ≤ 1.</summary>
    /// <param name="s">The text, such as <c>0.25</c> or <c>1</c>; no surrounding whitespace.</param>
    /// <param name="value">The rate.</param>
    /// <returns><see langword="true"/> when <paramref name="s"/> is a valid rate.</returns>
    public static bool TryParse(ReadOnlySpan<char> s, out double value)
    {
        value = 0;
        if (s.IsEmpty || s.Length > MaxLength
            || !PlainDecimal.TryParse(s, out var parsed)
            || !double.IsFinite(parsed) || parsed < 0 || parsed > 1)
        {
            return false;
        }

        value = parsed == 0 ? 0 : parsed;
        return true;
    }

    /// <summary>Whether <paramref name="rate"/> is a usable rate: finite and in [0, 1].</summary>
    /// <param name="rate">A rate from configuration or from a <c>TracesSampler</c>.</param>
    /// <returns><see langword="false"/> for NaN, infinities and values outside [0, 1].</returns>
    public static bool IsValid(double rate) => rate >= 0 && rate <= 1;
}
