using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TraceMiddleware.Configuration;
using TraceMiddleware.DependencyInjection;

namespace Shop;

/// <summary>
/// <c>dotnet run --project samples/Shop</c>: starts the storefront, the orders API and payments, and
/// prints where they listen. Ports: <c>--Shop:StorefrontUrl=http://localhost:6100</c> (or
/// <c>Shop__StorefrontUrl</c>), likewise <c>OrdersUrl</c> and <c>PaymentsUrl</c>.
/// </summary>
public static class Program
{
    /// <summary>Runs the shop until Ctrl+C.</summary>
    public static async Task Main(string[] args)
    {
        var launcher = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build();
        var (spotlight, spotlightLine) = await DecideSpotlightAsync(launcher);
        var defaults = new ShopSettings();
        var settings = new ShopSettings
        {
            StorefrontUrl = launcher["Shop:StorefrontUrl"] ?? defaults.StorefrontUrl,
            OrdersUrl = launcher["Shop:OrdersUrl"] ?? defaults.OrdersUrl,
            PaymentsUrl = launcher["Shop:PaymentsUrl"] ?? defaults.PaymentsUrl,
            Args = args,
            Configure = spotlight
                ? (_, builder) => builder.Configuration.AddInMemoryCollection([new("Tracing:Spotlight", "true")])
                : null,
        };

        await using var shop = await ShopServices.StartAsync(settings);
        var tracing = shop.Storefront.Services.GetRequiredService<IOptions<TracingOptions>>().Value;
        var where = !string.IsNullOrEmpty(tracing.Dsn)
            ? "spans go to the DSN in Tracing__Dsn"
            : shop.Storefront.Environment.IsDevelopment()
                ? "no DSN, so each trace is printed here as a tree; set Tracing__Dsn to send it to Sentry"
                : "no DSN, so nothing is sent; set Tracing__Dsn to send traces to Sentry";
        Console.WriteLine($"""
            Shop is running. Open the storefront and press "Place order":
              storefront  {shop.Links.Storefront}
              orders API  {shop.Links.Orders}api/orders
              payments    {shop.Links.Payments}charge
            Tracing: {where}.
            {spotlightLine}
            Press Ctrl+C to stop.
            """);
        await shop.WaitForShutdownAsync();
    }

    /// <summary>
    /// In Development, traces also go to Spotlight when its sidecar answers at its default address, unless
    /// Tracing:Spotlight (or SENTRY_SPOTLIGHT) already says what to do. Returns whether to turn it on, and the
    /// line that says what was decided.
    /// </summary>
    private static async Task<(bool On, string Line)> DecideSpotlightAsync(IConfiguration launcher)
    {
        var environment = launcher["environment"] ?? launcher["ASPNETCORE_ENVIRONMENT"] ?? launcher["DOTNET_ENVIRONMENT"] ?? Environments.Production;
        if (launcher["Tracing:Spotlight"] is { Length: > 0 } configured)
        {
            return (false, $"Spotlight: Tracing:Spotlight is {configured}.");
        }

        if (launcher["SENTRY_SPOTLIGHT"] is { Length: > 0 } variable)
        {
            return (false, $"Spotlight: SENTRY_SPOTLIGHT is {variable}.");
        }

        if (!string.Equals(environment, Environments.Development, StringComparison.OrdinalIgnoreCase))
        {
            return (false, "Spotlight: off (set Tracing__Spotlight=true to send traces to a local Spotlight).");
        }

        var address = SpotlightProbe.DefaultAddress;
        return await SpotlightProbe.IsRunningAsync(address, SpotlightProbe.Timeout)
            ? (true, $"Spotlight: answers at {address}, so traces also go there; open it in a browser to see them.")
            : (false, $"Spotlight: none answered at {address} within {SpotlightProbe.Timeout.TotalMilliseconds:0} ms; start one with `npx @spotlightjs/spotlight@4.11.8` and restart the shop to see traces there.");
    }
}
