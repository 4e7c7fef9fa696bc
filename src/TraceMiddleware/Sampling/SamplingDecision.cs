namespace TraceMiddleware.Sampling;

/// <summary>
/// The head-based sampling decision for a trace in this service, with the trace's <c>sample_rand</c>.
/// </summary>
/// <param name="Sampled">
/// <see langword="true"/> or <see langword="false"/> when decided; <see langword="null"/> when deferred (no rate,
/// no sampler and no incoming decision): headers still flow, without a sampled flag, and no spans are sent.
/// </param>
/// <param name="SampleRand">
/// The trace's random number in [0, 1) that was compared with the rate. It is on the six-decimal grid when this
/// service drew or derived it, and the incoming value at full precision when it came with the trace.
/// </param>
/// <param name="SampleRate">
/// The local rate that was applied (from <c>TracesSampler</c> or <c>TracesSampleRate</c>); <see langword="null"/>
/// when the decision was inherited, deferred, or made without a rate (an unsampled HTTP method, a sampler that
/// failed or returned a value outside [0, 1]).
/// </param>
internal readonly record struct SamplingDecision(bool? Sampled, double SampleRand, double? SampleRate)
{
    /// <summary>
    /// The incoming <c>sentry-sample_rand</c> text when it was valid, to be re-sent verbatim (the incoming
    /// dynamic sampling context is frozen); <see langword="null"/> when this service drew or derived the value,
    /// which is then written with <see cref="TryFormatSampleRand"/>.
    /// </summary>
    public string? IncomingSampleRand { get; init; }

    /// <summary>Which precedence rule decided, for logs.</summary>
    internal SamplingDecisionSource Source { get; init; }

    /// <summary>What the <c>TracesSampler</c> threw, for the middleware to log; the request goes on unsampled.</summary>
    internal Exception? SamplerException { get; init; }

    /// <summary>The NaN or out-of-range value the <c>TracesSampler</c> returned, for the middleware to log.</summary>
    internal double? InvalidSamplerResult { get; init; }

    /// <summary>
    /// Writes the <c>sample_rand</c> to send downstream: <see cref="IncomingSampleRand"/> verbatim when present,
    /// else <see cref="SampleRand"/> with at most six decimals and no trailing zeros.
    /// </summary>
    /// <param name="destination">Where to write.</param>
    /// <param name="charsWritten">The number of characters written.</param>
    /// <returns><see langword="false"/> when <paramref name="destination"/> is too small.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="SampleRand"/> is not in [0, 1).</exception>
    public bool TryFormatSampleRand(Span<char> destination, out int charsWritten)
    {
        if (IncomingSampleRand is { } incoming)
        {
            charsWritten = incoming.TryCopyTo(destination) ? incoming.Length : 0;
            return charsWritten == incoming.Length;
        }

        return global::TraceMiddleware.Sampling.SampleRand.TryFormat(SampleRand, destination, out charsWritten);
    }

    /// <summary>The <c>sample_rand</c> to send downstream, as <see cref="TryFormatSampleRand"/> writes it.</summary>
    /// <returns>The text, such as <c>0.5</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="SampleRand"/> is not in [0, 1).</exception>
    public string FormatSampleRand()
        => IncomingSampleRand ?? global::TraceMiddleware.Sampling.SampleRand.Format(SampleRand);
}
