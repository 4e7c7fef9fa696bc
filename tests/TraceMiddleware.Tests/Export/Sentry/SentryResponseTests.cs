using System.Net;
using TraceMiddleware.Export.Sentry;

namespace TraceMiddleware.Tests.Export.Sentry;

/// <summary>What the exporter reads of an answer, and what each answer means for its envelope.</summary>
public class SentryResponseTests
{
    private static readonly DateTimeOffset Now = new(2030, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(200, null, "Accepted")]
    [InlineData(202, "30:transaction:key", "Accepted")]
    [InlineData(429, null, "RateLimited")]
    [InlineData(503, "30:transaction:key", "RateLimited")]
    [InlineData(413, null, "TooLarge")]
    [InlineData(408, null, "Transient")]
    [InlineData(500, null, "Transient")]
    [InlineData(503, "30:error:key", "Transient")]
    [InlineData(307, null, "Rejected")]
    [InlineData(401, null, "Rejected")]
    public void Kind_FollowsTheStatusAndTheRateLimitForTransactions(int status, string? rateLimits, string expected)
    {
        var response = new SentryResponse(status, rateLimits, RetryAfter: null);

        var kind = response.Kind(response.TransactionRateLimit(Now));

        Assert.Equal(expected, kind.ToString());
    }

    [Fact]
    public void Read_TakesTheStatusAndSentrysHeadersOnly()
    {
        using var message = new HttpResponseMessage(HttpStatusCode.TooManyRequests) { Content = new StringContent("ignored") };
        message.Headers.TryAddWithoutValidation("X-Sentry-Rate-Limits", "60:transaction:key");
        message.Headers.TryAddWithoutValidation("Retry-After", "120");

        var response = SentryResponse.Read(message);

        Assert.Equal(new SentryResponse(429, "60:transaction:key", "120"), response);
    }
}
