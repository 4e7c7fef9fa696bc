using Microsoft.Extensions.DependencyInjection;
using TraceMiddleware.AspNetCore.Tunnel;
using TraceMiddleware.AspNetCore;
using TraceMiddleware.Configuration;
using TraceMiddleware.DependencyInjection;
using TraceMiddleware.Tracing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Places the tracing middleware by hand.</summary>
public static class TracingApplicationBuilderExtensions
{
    private const string PlacedKey = "TraceMiddleware.UseTracing";

    /// <summary>
    /// Puts the tracing middleware here instead of at the start of the pipeline (for example after
    /// <c>UseForwardedHeaders</c>, so that a trust decision sees the client's address). The automatic one
    /// then steps aside: there is never a second one, and a second call here adds nothing.
    /// </summary>
    /// <param name="app">The application builder.</param>
    /// <returns>The application builder.</returns>
    public static IApplicationBuilder UseTracing(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var registration = app.ApplicationServices.GetService<TracingRegistration>()
            ?? throw new InvalidOperationException(
                "Unable to find the tracing services. Add them by calling 'builder.Services.AddTracing()' in the application startup code.");
        if (app.Properties.ContainsKey(PlacedKey))
        {
            return app;
        }

        app.Properties[PlacedKey] = true;
        registration.PlacedByHand = true;
        var runtime = app.ApplicationServices.GetRequiredService<TracingRuntime>();
        var tunnels = app.ApplicationServices.GetRequiredService<SentryTunnelRoutes>();
        return app.Use(next => new TracingMiddleware(next, runtime, tunnels).InvokeAsync);
    }
}
