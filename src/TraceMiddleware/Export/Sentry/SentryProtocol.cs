namespace TraceMiddleware.Export.Sentry;

/// <summary>
/// The names Sentry's envelope endpoint defines on the wire (PROTOCOL.md §8), declared once for the exporter
/// and the browser tunnel alike.
/// </summary>
internal static class SentryProtocol
{
    /// <summary>The media type of an envelope; Spotlight ignores envelopes without it.</summary>
    public const string EnvelopeContentType = "application/x-sentry-envelope";

    /// <summary>The request header that carries the protocol version, the client and the DSN's public key.</summary>
    public const string AuthHeader = "X-Sentry-Auth";

    /// <summary>The Sentry protocol version in <see cref="AuthHeader"/>.</summary>
    public const int Version = 7;

    /// <summary>The response header with Sentry's per-category rate limits; it wins over <see cref="RetryAfterHeader"/>.</summary>
    public const string RateLimitsHeader = "X-Sentry-Rate-Limits";

    /// <summary>The standard response header Sentry also sends with a 429 (or a 503).</summary>
    public const string RetryAfterHeader = "Retry-After";
}
