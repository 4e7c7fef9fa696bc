namespace Shop;

/// <summary>
/// Whether a Spotlight sidecar (<c>npx @spotlightjs/spotlight</c>) runs at its default address, asked once at
/// start-up: its <c>GET /health</c> answers 200 with <c>X-Powered-By: spotlight-by-sentry</c>.
/// </summary>
public static class SpotlightProbe
{
    /// <summary>Spotlight's UI and, under <c>/stream</c>, where it takes envelopes.</summary>
    public static readonly Uri DefaultAddress = new("http://localhost:8969/");

    /// <summary>How long start-up waits for the answer: a sidecar on this machine answers in a few milliseconds.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(300);

    private const string Identifier = "spotlight-by-sentry";

    /// <summary>Asks <paramref name="address"/>'s <c>/health</c>, for at most <paramref name="timeout"/>.</summary>
    public static async Task<bool> IsRunningAsync(Uri address, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(address);
        using var client = new HttpClient { Timeout = timeout };
        try
        {
            using var response = await client.GetAsync(new Uri(address, "health"), HttpCompletionOption.ResponseHeadersRead);
            return response.IsSuccessStatusCode
                && response.Headers.TryGetValues("X-Powered-By", out var values)
                && values.Contains(Identifier, StringComparer.OrdinalIgnoreCase);
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException)
        {
            return false;
        }
    }
}
