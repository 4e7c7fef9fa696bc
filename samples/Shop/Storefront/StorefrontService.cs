using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Shop.Storefront;

/// <summary>
/// Service A of the seed: Razor Pages whose layout hands the trace to Sentry's browser SDK through
/// <c>&lt;sentry-trace-meta /&gt;</c>; the page's button places an order with <c>fetch</c>.
/// </summary>
public static class StorefrontService
{
    /// <summary>Adds the storefront's services to <paramref name="builder"/> and builds it.</summary>
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddTracing();

        // The pages live in this service's folder of a project that holds all three services.
        builder.Services.AddRazorPages(o => o.RootDirectory = "/Storefront/Pages");

        var app = builder.Build();

        // The bundle is a static file: served before the tracing middleware, it makes no trace of its
        // own (Sentry's Node SDK also ignores static assets by default). Pages are traced.
        app.UseStaticFiles();
        app.UseTracing();
        app.MapRazorPages();
        MapTunnel(app);

        // The same page as plain HTML, without meta tags: Sentry's browser SDK then continues the trace
        // from the Server-Timing header (Tracing:ServerTimingHeader in appsettings.json).
        app.MapGet("/static", (IConfiguration configuration, IHostEnvironment environment, ShopLinks links) =>
            Results.Content(StaticPage.Html(BrowserConfig.From(configuration, environment, links)), "text/html; charset=utf-8"));
        return app;
    }

    private static void MapTunnel(WebApplication app)
    {
        var configuration = app.Configuration;
        if (BrowserConfig.TunnelFor(configuration, app.Environment) is not { } path)
        {
            return;
        }

        // With a DSN, the tunnel forwards to the service's own; a separate browser DSN must be allowed by name.
        // Without one (Development), it receives the envelopes itself for the console tree and Spotlight.
        var browserDsn = BrowserConfig.BrowserDsn(configuration);
        app.MapSentryTunnel(path, o =>
        {
            if (browserDsn is not null && browserDsn != configuration["Tracing:Dsn"])
            {
                o.AllowedDsns.Add(browserDsn);
            }
        });
    }
}
