namespace TraceMiddleware.Export.Sentry;

/// <summary>How <see cref="SentryTraceExporter"/> talks to the receiver.</summary>
internal sealed class SentryTransportOptions
{
    /// <summary>
    /// The default gzip threshold: 32 KiB, as @sentry/node's transport. Each compressed envelope costs a new
    /// compressor (zlib sets up some 256 KiB of state for each), which measured at about a sixth of the CPU of sending a
    /// one-span transaction on loopback (<c>build/bench.sh</c>); below 32 KiB the bytes saved are a few
    /// kilobytes, while transactions with hundreds of spans are still compressed.
    /// </summary>
    public const int DefaultGzipThresholdBytes = 32 * 1024;

    /// <summary>The default number of attempts per envelope (the first send and two retries).</summary>
    public const int DefaultMaxAttempts = 3;

    /// <summary>
    /// The default number of envelopes in flight at once. One POST at a time cannot keep up with a busy app
    /// (each waits a round trip); Sentry's JS SDK allows 30, and 8 keeps up on loopback and over the internet
    /// without opening dozens of connections to the receiver.
    /// </summary>
    public const int DefaultMaxConcurrentSends = 8;

    /// <summary>
    /// The default of <see cref="MaxHeldTransactions"/>: the export queue's default capacity, so a receiver left
    /// alone holds at most as much again as the queue.
    /// </summary>
    public const int DefaultMaxHeldTransactions = 1000;

    /// <summary>
    /// How long a receiver found unreachable is left alone before one envelope probes it again; the wait doubles
    /// with each failed probe, up to <see cref="MaxBackoff"/>. Transactions in between are held for the probe
    /// (at most <see cref="MaxHeldTransactions"/>), and dropped if it fails.
    /// </summary>
    public static readonly TimeSpan FirstProbeWait = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between two attempts, whatever the attempt number, and between two probes of an unreachable receiver.</summary>
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    /// <summary>Bodies longer than this many bytes are sent gzip-compressed; <see cref="int.MaxValue"/> never compresses.</summary>
    public int GzipThresholdBytes { get; init; } = DefaultGzipThresholdBytes;

    /// <summary>
    /// Attempts per envelope on a transient failure (5xx, 408, network error, timeout), at least 1. While the
    /// receiver is known to be unreachable, a probe (see <see cref="FirstProbeWait"/>) makes one attempt only.
    /// </summary>
    public int MaxAttempts { get; init; } = DefaultMaxAttempts;

    /// <summary>
    /// How many envelopes of a batch are sent at once, at least 1 (1 sends them one after another). Each
    /// concurrent send keeps buffers of its own. Until the receiver has accepted an envelope (at start, and after
    /// it was down, rate-limiting or rejecting), a batch sends one envelope at a time.
    /// </summary>
    public int MaxConcurrentSends { get; init; } = DefaultMaxConcurrentSends;

    /// <summary>
    /// The most transactions held, unsent, while an unreachable receiver is left alone until its next probe (or
    /// shutdown's last try); beyond it they are dropped. 0 drops them all at once.
    /// </summary>
    public int MaxHeldTransactions { get; init; } = DefaultMaxHeldTransactions;

    /// <summary>The backoff scale: retry <c>n</c> waits a random time in [0, min(<see cref="MaxBackoff"/>, base·2^(n-1))] (full jitter).</summary>
    public TimeSpan BaseBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long one attempt (connect, send, response headers) may take before it counts as a transient failure.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
