namespace TraceMiddleware.Export.Sentry;

/// <summary>What an answer of the envelope endpoint means for the envelope that got it.</summary>
internal enum SentryResponseKind
{
    /// <summary>2xx: delivered (a rate limit may come with it, for the next ones).</summary>
    Accepted,

    /// <summary>429, or a rate limit for transactions on any other answer: dropped, and nothing is sent until it passes.</summary>
    RateLimited,

    /// <summary>413: this envelope is too large; dropped, not retried.</summary>
    TooLarge,

    /// <summary>408 or 5xx: worth another attempt.</summary>
    Transient,

    /// <summary>Any other answer (a wrong key, a redirect): dropped, and the receiver counts as rejecting.</summary>
    Rejected,
}
