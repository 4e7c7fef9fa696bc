using Microsoft.AspNetCore.Builder;

namespace Shop;

/// <summary>Where the services listen and what a host (the launcher, a test) adds to each of them.</summary>
public sealed class ShopSettings
{
    /// <summary>The storefront's listening URL. Port 0 lets the OS choose (with an IP address, not <c>localhost</c>).</summary>
    public string StorefrontUrl { get; init; } = "http://localhost:5100";

    /// <summary>The orders API's listening URL.</summary>
    public string OrdersUrl { get; init; } = "http://localhost:5101";

    /// <summary>The payments service's listening URL.</summary>
    public string PaymentsUrl { get; init; } = "http://localhost:5102";

    /// <summary>Command-line arguments every service reads as configuration (for example <c>--Tracing:Dsn=…</c>).</summary>
    public string[] Args { get; init; } = [];

    /// <summary>Called for each service (<c>storefront</c>, <c>orders</c>, <c>payments</c>) before it is built.</summary>
    public Action<string, WebApplicationBuilder>? Configure { get; init; }
}
