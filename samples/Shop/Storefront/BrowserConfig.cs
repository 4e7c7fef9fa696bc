using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Shop.Storefront;

/// <summary>
/// What the page's browser SDK is told: its DSN (none: shop.js uses a placeholder), the orders API it may
/// send trace headers to, and the tunnel it sends its envelopes through. The Razor page and the static page share it.
/// </summary>
public sealed record BrowserConfig(string? Dsn, string? OrdersUrl, string? Tunnel)
{
    /// <summary>The path of the storefront's Sentry tunnel unless <c>Shop:Tunnel</c> says otherwise ("" turns it off).</summary>
    public const string DefaultTunnel = "/monitoring";

    public static BrowserConfig From(IConfiguration configuration, IHostEnvironment environment, ShopLinks links)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(links);
        return new BrowserConfig(BrowserDsn(configuration), links.Orders?.GetLeftPart(UriPartial.Authority), TunnelFor(configuration, environment));
    }

    /// <summary>
    /// The tunnel the page sends its envelopes to, or null for none: with a DSN it forwards them to Sentry; in
    /// Development without one the storefront receives them itself, so that the browser's spans join the console
    /// tree (and Spotlight, when it runs).
    /// </summary>
    public static string? TunnelFor(IConfiguration configuration, IHostEnvironment environment) =>
        BrowserDsn(configuration) is not null || environment.IsDevelopment() ? TunnelPath(configuration) : null;

    /// <summary>
    /// A DSN's public key is meant to be public: without a browser DSN of its own the page uses the
    /// service's. With neither, the page's SDK still traces and propagates, and sends only to a local tunnel (shop.js).
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
