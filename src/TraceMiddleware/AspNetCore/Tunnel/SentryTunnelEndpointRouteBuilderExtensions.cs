using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TraceMiddleware.AspNetCore.Tunnel;
using TraceMiddleware.Configuration;
using TraceMiddleware.DependencyInjection;
using TraceMiddleware.Export.Console;
using TraceMiddleware.Tracing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the endpoint that relays Sentry's browser SDK envelopes through your own origin.</summary>
public static class SentryTunnelEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps a POST endpoint for the <c>tunnel</c> option of Sentry's browser SDK
    /// (<c>Sentry.init({ dsn, tunnel: "/monitoring" })</c>), so that the browser sends its envelopes to your
    /// origin, where ad blockers do not stop them, and this endpoint posts them on to Sentry. Settings come
    /// from the <c>Tracing:Tunnel</c> configuration section (see <see cref="SentryTunnelOptions"/>).
    /// </summary>
    /// <remarks>
    /// Only envelopes whose header names the configured <c>Tracing:Dsn</c> (same scheme, host, port, path and
    /// project id) or one of <see cref="SentryTunnelOptions.AllowedDsns"/> are forwarded; anything else gets
    /// 400 and nothing is fetched. Tunnel requests are not traced themselves.
    /// </remarks>
    /// <param name="endpoints">The endpoint route builder, usually the <c>WebApplication</c>.</param>
    /// <param name="pattern">The fixed path, such as <c>/monitoring</c>; route parameters are not allowed.</param>
    /// <returns>The endpoint's convention builder, for example to add a rate limiter.</returns>
    public static IEndpointConventionBuilder MapSentryTunnel(this IEndpointRouteBuilder endpoints, [StringSyntax("Route")] string pattern) =>
        MapSentryTunnel(endpoints, pattern, static _ => { });

    /// <summary>
    /// Maps the tunnel (see <see cref="MapSentryTunnel(IEndpointRouteBuilder, string)"/>) and changes its
    /// settings in code, after the <c>Tracing:Tunnel</c> section is bound.
    /// </summary>
    /// <param name="endpoints">The endpoint route builder, usually the <c>WebApplication</c>.</param>
    /// <param name="pattern">The fixed path, such as <c>/monitoring</c>; route parameters are not allowed.</param>
    /// <param name="configure">Changes the options, for example adds to <see cref="SentryTunnelOptions.AllowedDsns"/>.</param>
    /// <returns>The endpoint's convention builder.</returns>
    /// <exception cref="InvalidOperationException"><c>AddTracing()</c> was not called.</exception>
    /// <exception cref="ArgumentException"><paramref name="pattern"/> has route parameters.</exception>
    /// <exception cref="OptionsValidationException">A setting is invalid; the message names the key.</exception>
    public static IEndpointConventionBuilder MapSentryTunnel(this IEndpointRouteBuilder endpoints, [StringSyntax("Route")] string pattern, Action<SentryTunnelOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(configure);
        var services = endpoints.ServiceProvider;
        var registration = services.GetService<TracingRegistration>()
            ?? throw new InvalidOperationException(
                "Unable to find the tracing services. Add them by calling 'builder.Services.AddTracing()' in the application startup code.");
        if (!SentryTunnelRoutes.TryGetPath(RoutePatternFactory.Parse(pattern), out var path))
        {
            throw new ArgumentException(
                $"The tunnel's pattern '{pattern}' must be a fixed path such as \"/monitoring\": Sentry's browser SDK posts to one URL.",
                nameof(pattern));
        }

        var runtime = services.GetRequiredService<TracingRuntime>();
        var sectionPath = registration.SectionPath + ":" + SentryTunnelOptionsBinder.SectionName;
        var options = new SentryTunnelOptions();
        foreach (var section in Sections(registration, services.GetService<IConfiguration>()))
        {
            SentryTunnelOptionsBinder.Bind(section, options);
        }

        configure(options);
        var errors = SentryTunnelOptionsBinder.Validate(options, sectionPath, out var allowed);
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(sectionPath, typeof(SentryTunnelOptions), errors);
        }

        if (runtime.Dsn is { } dsn)
        {
            allowed.Insert(0, dsn);
        }

        var local = LocalView(services, runtime, allowed.Count == 0);
        if (allowed.Count == 0)
        {
            if (local is { ReceivesLocally: true })
            {
                SentryTunnelLog.ReceivesLocally(runtime.Logger, pattern, local.Describe());
            }
            else
            {
                SentryTunnelLog.NothingAllowed(runtime.Logger, pattern, registration.SectionPath);
            }
        }

        var tunnel = new SentryTunnel(new SentryTunnelAllowList(allowed), options, sectionPath, runtime.Logger, handler: null, local);
        services.GetService<IHostApplicationLifetime>()?.ApplicationStopped.Register(tunnel.Dispose);

        // The tracing middleware usually runs before routing: it knows tunnel requests by their path.
        var routes = services.GetRequiredService<SentryTunnelRoutes>();
        if (endpoints is RouteGroupBuilder)
        {
            routes.AddUnresolved();
        }
        else
        {
            routes.Add(path);
        }

        var builder = endpoints.MapPost(pattern, new RequestDelegate(tunnel.HandleAsync));
        builder.WithMetadata(SentryTunnelMetadata.Instance);
        builder.WithDisplayName("Sentry tunnel " + pattern);
        builder.Add(endpoint =>
        {
            // Conventions see the full pattern, a route group's prefix included.
            if (endpoint is RouteEndpointBuilder route && SentryTunnelRoutes.TryGetPath(route.RoutePattern, out var full))
            {
                routes.Add(full);
            }
        });
        return builder;
    }

    /// <summary>
    /// The console tree in Development (when the host has it) and Spotlight (when it is on) also see the browser's
    /// envelopes; with nothing to forward to, in Development, the tunnel receives them itself. Null: neither.
    /// </summary>
    private static SentryTunnelLocalView? LocalView(IServiceProvider services, TracingRuntime runtime, bool nothingAllowed)
    {
        var environment = services.GetService<IHostEnvironment>();
        var development = environment?.IsDevelopment() == true;
        var console = development && ConsoleTraceExporter.IsOn(runtime.Options, runtime.Dsn is not null, environment)
            ? services.GetRequiredService<ConsoleTraceExporter>()
            : null;
        var spotlight = SpotlightSetting.Resolve(runtime.Options.Spotlight);
        if (console is null && spotlight is null)
        {
            return null;
        }

        return new SentryTunnelLocalView(console, spotlight, receivesLocally: nothingAllowed && development, runtime.Logger);
    }

    private static List<IConfiguration> Sections(TracingRegistration registration, IConfiguration? configuration)
    {
        var sections = new List<IConfiguration>();
        if (registration.Sections.Count == 0)
        {
            if (configuration is not null)
            {
                sections.Add(configuration.GetSection(TracingRegistration.DefaultSectionName + ":" + SentryTunnelOptionsBinder.SectionName));
            }

            return sections;
        }

        foreach (var section in registration.Sections)
        {
            sections.Add(section.GetSection(SentryTunnelOptionsBinder.SectionName));
        }

        return sections;
    }
}
