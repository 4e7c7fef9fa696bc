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
        var defaults = new ShopSettings();
        var settings = new ShopSettings
        {
            StorefrontUrl = launcher["Shop:StorefrontUrl"] ?? defaults.StorefrontUrl,
            OrdersUrl = launcher["Shop:OrdersUrl"] ?? defaults.OrdersUrl,
            PaymentsUrl = launcher["Shop:PaymentsUrl"] ?? defaults.PaymentsUrl,
            Args = args,
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
            Press Ctrl+C to stop.
            """);
        await shop.WaitForShutdownAsync();
    }
}
