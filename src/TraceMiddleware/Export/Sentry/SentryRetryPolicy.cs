namespace TraceMiddleware.Export.Sentry;

/// <summary>
/// How often and after how long the exporter tries again: the attempts per envelope, the backoff between
/// them (full jitter) and the wait before an unreachable receiver is probed (equal jitter). Pure.
/// </summary>
internal static class SentryRetryPolicy
{
    /// <summary>
    /// Attempts for one envelope: <see cref="SentryTransportOptions.MaxAttempts"/>, or one while the receiver
    /// is known to be down, which is enough to probe whether it is back.
    /// </summary>
    /// <param name="options">The transport options.</param>
    /// <param name="state">What the exporter last learned about the receiver.</param>
    public static int Attempts(SentryTransportOptions options, SentryTransportState state) =>
        state == SentryTransportState.Unreachable ? 1 : options.MaxAttempts;

    /// <summary>
    /// How long an unreachable receiver is left alone after its <paramref name="failures"/>th failed probe (the
    /// first being the send that found it down): <see cref="SentryTransportOptions.FirstProbeWait"/>·2^(failures-1),
    /// at most <see cref="SentryTransportOptions.MaxBackoff"/>, scaled by 0.5–1 (equal jitter, so that the
    /// instances of a service that lost the receiver together do not probe in step).
    /// </summary>
    /// <param name="failures">1 for the send that found the receiver down.</param>
    /// <param name="random">A sample in [0, 1).</param>
    public static TimeSpan ProbeWait(int failures, double random) =>
        TimeSpan.FromMilliseconds(DoublingCeiling(SentryTransportOptions.FirstProbeWait, failures) * (0.5 + (0.5 * Math.Clamp(random, 0, 1))));

    /// <summary>Full jitter: a uniformly random wait in [0, min(<see cref="SentryTransportOptions.MaxBackoff"/>, base·2^(retry-1))].</summary>
    /// <param name="retry">1 for the first retry.</param>
    /// <param name="baseDelay">The option's base delay.</param>
    /// <param name="random">A sample in [0, 1).</param>
    public static TimeSpan Backoff(int retry, TimeSpan baseDelay, double random) =>
        TimeSpan.FromMilliseconds(DoublingCeiling(baseDelay, retry) * Math.Clamp(random, 0, 1));

    // first·2^(n-1) in milliseconds, at most MaxBackoff: the ceiling both waits draw below.
    private static double DoublingCeiling(TimeSpan first, int n) =>
        Math.Min(first.TotalMilliseconds * Math.Pow(2, Math.Clamp(n - 1, 0, 30)), SentryTransportOptions.MaxBackoff.TotalMilliseconds);
}
