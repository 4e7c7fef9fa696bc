using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TraceMiddleware.AspNetCore.Tunnel;
using TraceMiddleware.AspNetCore;
using TraceMiddleware.Configuration;
using TraceMiddleware.Tracing;

namespace TraceMiddleware.DependencyInjection;

/// <summary>
/// Puts the middleware at the very start of the pipeline. The middleware is created when the pipeline
/// is built, after the app's own configuration ran, so a <c>UseTracing()</c> call placed by hand makes
/// this one step aside and there is never a second one.
/// </summary>
internal sealed class TracingStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        var services = app.ApplicationServices;
        if (services.GetRequiredService<IOptions<TracingOptions>>().Value.AddMiddlewareAutomatically)
        {
            var registration = services.GetRequiredService<TracingRegistration>();
            var runtime = services.GetRequiredService<TracingRuntime>();
            var tunnels = services.GetRequiredService<SentryTunnelRoutes>();
            app.Use(nextDelegate => registration.PlacedByHand ? nextDelegate : new TracingMiddleware(nextDelegate, runtime, tunnels).InvokeAsync);
        }

        next(app);
    };
}
