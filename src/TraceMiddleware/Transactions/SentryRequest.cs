namespace TraceMiddleware.Transactions;

/// <summary>
/// What a transaction says about the request it served (Sentry's request interface). The method and the URL
/// without its query are always there; headers and cookies only with <c>SendDefaultPii</c>. The query string is
/// never sent.
/// </summary>
public sealed class SentryRequest
{
    private Dictionary<string, string>? _headers;

    /// <summary>The request method, such as <c>GET</c>.</summary>
    public string? Method { get; set; }

    /// <summary>The request URL without query and fragment, such as <c>https://shop.example/orders/42</c>.</summary>
    public string? Url { get; set; }

    /// <summary>The request headers (with <c>SendDefaultPii</c> only; never <c>Authorization</c> or <c>Cookie</c>).</summary>
    public IDictionary<string, string> Headers => _headers ??= new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    internal bool HasHeaders => _headers is { Count: > 0 };

    /// <summary>The <c>Cookie</c> header (with <c>SendDefaultPii</c> only).</summary>
    public string? Cookies { get; set; }
}
