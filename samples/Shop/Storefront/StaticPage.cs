using System.Net;
using System.Text.Json;

namespace Shop.Storefront;

/// <summary>The storefront page as plain HTML, for pages that no Razor view renders.</summary>
public static class StaticPage
{
    public static string Html(BrowserConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);

        // JSON in a script element: "<" is escaped by the serializer's default encoder, so no "</script>".
        var json = JsonSerializer.Serialize(new { dsn = config.Dsn, ordersUrl = config.OrdersUrl, tunnel = config.Tunnel });
        return $$"""
            <!doctype html>
            <html lang="en">
            <head><meta charset="utf-8" /><title>Storefront (static) · Shop</title><link rel="icon" href="data:," /></head>
            <body>
            <h1>Coffee shop</h1>
            <p>Two coffees, 3.50 each. This page has no meta tags: its trace comes from the Server-Timing header.</p>
            <button id="place-order" type="button" disabled>Place order</button>
            <p id="order-status" data-state="idle" role="status"></p>
            <script id="shop-config" type="application/json">{{json}}</script>
            <script src="/js/shop.js"></script>
            </body>
            </html>
            """;
    }
}
