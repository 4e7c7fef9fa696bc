using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Shop;
using TraceMiddleware.Testing;

namespace TraceMiddleware.InteropTests.Infrastructure;

/// <summary>
/// The Shop sample's three services in this process, on ports the OS chose: with a stand-in, every
/// service and the page have a DSN pointing there; without one, nobody has a DSN (the sample's default);
/// in Development, as <c>dotnet run</c> starts it.
/// </summary>
public static class ShopUnderTest
{
    public static Task<ShopServices> StartAsync(SentryIngestStandIn? standIn) =>
        StartAsync(standIn is null ? null : standIn.Dsn);

    /// <summary>Every service and the page get a DSN made by <paramref name="dsnFor"/> (public key, project id).</summary>
    public static Task<ShopServices> StartAsync(Func<string, int, string>? dsnFor) => StartAsync(dsnFor, development: false, logs: null, settings: null);

    /// <summary>
    /// As <c>dotnet run</c> starts the sample, in Development and with no DSN (the console tree on), each service's
    /// log captured by <paramref name="logs"/>; <paramref name="settings"/> go to all three.
    /// </summary>
    public static Task<ShopServices> StartDevelopmentAsync(CapturingLoggerProvider logs, Dictionary<string, string?>? settings = null) =>
        StartAsync(dsnFor: null, development: true, logs, settings);

    private static async Task<ShopServices> StartAsync(Func<string, int, string>? dsnFor, bool development, CapturingLoggerProvider? logs, Dictionary<string, string?>? settings)
    {
        SpanCollector.EnsureStarted();
        return await ShopServices.StartAsync(new ShopSettings
        {
            StorefrontUrl = "http://127.0.0.1:0",
            OrdersUrl = "http://127.0.0.1:0",
            PaymentsUrl = "http://127.0.0.1:0",
            Args = development ? ["--environment=Development"] : [],
            Configure = (name, builder) =>
            {
                builder.Logging.ClearProviders();
                if (logs is not null)
                {
                    builder.Logging.AddProvider(logs);
                }

                if (settings is not null)
                {
                    builder.Configuration.AddInMemoryCollection(settings);
                }

                if (dsnFor is null)
                {
                    return;
                }

                builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
                {
                    // One project per service, as one Sentry project per service would be.
                    ["Tracing:Dsn"] = dsnFor(name, ProjectOf(name)),
                    ["Shop:BrowserDsn"] = dsnFor("browser", 9),
                });
            },
        });
    }

    private static int ProjectOf(string service) => service switch
    {
        ShopServices.StorefrontName => 11,
        ShopServices.OrdersName => 12,
        _ => 13,
    };
}
