using System.Net.Http.Headers;

namespace TraceMiddleware.Export.Sentry;

/// <summary>
/// What the exporter reads of an answer: the status and the headers Sentry defines for it, nothing else.
/// </summary>
/// <param name="StatusCode">The HTTP status code.</param>
/// <param name="RateLimits">The raw <see cref="SentryProtocol.RateLimitsHeader"/> value, or null.</param>
/// <param name="RetryAfter">The raw <see cref="SentryProtocol.RetryAfterHeader"/> value, or null.</param>
internal readonly record struct SentryResponse(int StatusCode, string? RateLimits, string? RetryAfter)
{
    /// <summary>Reads the status and Sentry's headers of <paramref name="response"/>; its content is left alone.</summary>
    public static SentryResponse Read(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return new((int)response.StatusCode, HeaderValue(response.Headers, SentryProtocol.RateLimitsHeader), HeaderValue(response.Headers, SentryProtocol.RetryAfterHeader));
    }

    /// <summary>How long this answer asks us to send no transactions (PROTOCOL.md §8), or zero.</summary>
    /// <param name="now">The current time, for a <c>Retry-After</c> date.</param>
    public TimeSpan TransactionRateLimit(DateTimeOffset now) => SentryRateLimits.ForTransactions(StatusCode, RateLimits, RetryAfter, now);

    /// <summary>What the answer means for its envelope, given the rate limit it carries.</summary>
    /// <param name="rateLimit">The result of <see cref="TransactionRateLimit"/>.</param>
    public SentryResponseKind Kind(TimeSpan rateLimit) => StatusCode switch
    {
        >= 200 and < 300 => SentryResponseKind.Accepted,
        _ when rateLimit > TimeSpan.Zero || StatusCode == 429 => SentryResponseKind.RateLimited,
        413 => SentryResponseKind.TooLarge,
        408 or >= 500 => SentryResponseKind.Transient,
        _ => SentryResponseKind.Rejected,
    };

    // NonValidated: the raw text, several values joined by ", ", without HttpClient's parsers in between.
    private static string? HeaderValue(HttpResponseHeaders headers, string name) =>
        headers.NonValidated.TryGetValues(name, out var values) ? values.ToString() : null;
}
