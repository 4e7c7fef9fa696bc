using Microsoft.Extensions.Configuration;

namespace Shop.Storefront;

/// <summary>
/// What the page's browser SDK is told: its DSN, the orders API it may send trace headers to, and the
/// tunnel it sends its envelopes through. The Razor page and the static page share it.
/// </summary>
public sealed record BrowserConfig(string? Dsn, string? OrdersUrl, string? Tunnel)
{
    /// <summary>The path of the storefront's Sentry tunnel unless <c>Shop:Tunnel</c> says otherwise ("" turns it off).</summary>
    public const string DefaultTunnel = "/monitoring";

    public static BrowserConfig From(IConfiguration configuration, ShopLinks links)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(links);
        var dsn = BrowserDsn(configuration);
        return new BrowserConfig(dsn, links.Orders?.GetLeftPart(UriPartial.Authority), dsn is null ? null : TunnelPath(configuration));
    }

    /// <summary>
    /// A DSN's public key is meant to be public: without a browser DSN of its own the page uses the
    /// service's. With neither, the page's SDK still traces and propagates, and sends nothing (shop.js).
    /// </summary>
    public static string? BrowserDsn(IConfiguration configuration) =>
        configuration["Shop:BrowserDsn"] is { Length: > 0 } browserDsn ? browserDsn
        : configuration["Tracing:Dsn"] is { Length: > 0 } dsn ? dsn
        : null;

    /// <summary>
    /// The browser sends to its own origin, which ad blockers leave alone; the storefront forwards to Sentry
    /// (only to its allowed DSNs). Null when turned off.
    /// </summary>
    public static string? TunnelPath(IConfiguration configuration) =>
        configuration["Shop:Tunnel"] is { } path ? (path.Length == 0 ? null : path) : DefaultTunnel;
}
