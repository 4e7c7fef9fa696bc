namespace Shop;

/// <summary>
/// Where the three services really listen, filled in by <see cref="ShopServices"/> as each one starts
/// (ports may be chosen by the OS). Every service reads it when a request needs it, never at start-up.
/// </summary>
public sealed class ShopLinks
{
    /// <summary>The storefront's base address, such as <c>http://localhost:5100/</c>.</summary>
    public Uri? Storefront { get; set; }

    /// <summary>The orders API's base address.</summary>
    public Uri? Orders { get; set; }

    /// <summary>The payments service's base address.</summary>
    public Uri? Payments { get; set; }

    /// <summary>
    /// Whether a browser <c>Origin</c> is the storefront's. The host may be written as <c>localhost</c> or
    /// <c>127.0.0.1</c> whichever way the person typed it, so loopback names count as one host.
    /// </summary>
    public bool IsStorefrontOrigin(string origin)
    {
        if (Storefront is not { } storefront || !Uri.TryCreate(origin, UriKind.Absolute, out var uri))
        {
            return false;
        }

        if (uri.Scheme != storefront.Scheme || uri.Port != storefront.Port)
        {
            return false;
        }

        return string.Equals(uri.IdnHost, storefront.IdnHost, StringComparison.OrdinalIgnoreCase)
            || (uri.IsLoopback && storefront.IsLoopback);
    }
}
