using System.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TraceMiddleware.AspNetCore.Tunnel;
using TraceMiddleware.Configuration;
using TraceMiddleware.DependencyInjection;
using TraceMiddleware.Export;
using TraceMiddleware.Export.Console;
using TraceMiddleware.Export.Sentry;
using TraceMiddleware.Export.Spotlight;
using TraceMiddleware.Http;
using TraceMiddleware.Tracing;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Sentry-compatible tracing: <c>builder.Services.AddTracing()</c>.</summary>
public static class TracingServiceCollectionExtensions
{
    /// <summary>
    /// Adds tracing with the settings of the <c>Tracing</c> configuration section (appsettings.json,
    /// environment variables such as <c>Tracing__Dsn</c>). Wires everything: the middleware at the start of
    /// the pipeline, the trace handler on every <c>IHttpClientFactory</c> client, the guard on .NET's own
    /// header injection, <see cref="SentryTracer"/>, the tag helper's services, and the background export
    /// of finished transactions (the console tree in Development without a DSN; see <c>AddTraceExporter</c>).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddTracing(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        AddCore(services);
        return services;
    }

    /// <summary>
    /// Adds tracing with the settings of <paramref name="configuration"/> (for example
    /// <c>builder.Configuration.GetSection("Tracing")</c>) instead of the default section. May be combined
    /// with <see cref="AddTracing(IServiceCollection, Action{TracingOptions})"/>; settings made in code win.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration section to bind.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddTracing(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        AddCore(services).Sections.Add(configuration);
        return services;
    }

    /// <summary>
    /// Adds tracing and configures it in code, after the configuration section is bound (the <c>Tracing</c>
    /// section unless one was given): a sampler, regex targets, options that have no configuration form.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Changes the options.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddTracing(this IServiceCollection services, Action<TracingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        AddCore(services);
        services.Configure(configure);
        return services;
    }

    private static TracingRegistration AddCore(IServiceCollection services)
    {
        for (var i = 0; i < services.Count; i++)
        {
            if (services[i].ServiceType == typeof(TracingRegistration) && services[i].ImplementationInstance is TracingRegistration existing)
            {
                return existing;
            }
        }

        // .NET reads DistributedContextPropagator.Current when it builds a handler: make it ours now, before
        // anything can build one.
        TracePropagator.Install();

        var registration = new TracingRegistration();
        services.AddSingleton(registration);
        services.AddOptions<TracingOptions>().ValidateOnStart();
        services.AddSingleton<IConfigureOptions<TracingOptions>>(sp => new TracingOptionsSetup(registration, sp.GetService<IConfiguration>()));
        services.TryAddSingleton(sp => new ConfiguredSentryDsn(() => sp.GetRequiredService<IOptions<TracingOptions>>().Value.Dsn));
        services.AddSingleton<IValidateOptions<TracingOptions>>(sp => new TracingOptionsValidator(registration, sp.GetRequiredService<ConfiguredSentryDsn>()));
        services.TryAddSingleton(sp => new TracingRuntime(
            sp.GetRequiredService<IOptions<TracingOptions>>(),
            sp.GetService<IHostEnvironment>(),
            sp.GetService<ILoggerFactory>(),
            sp.GetRequiredService<ConfiguredSentryDsn>(),
            sp.GetService<ActivitySource>()));

        // ASP.NET Core hosting starts the request's activity with the parent this propagator reads.
        services.TryAddSingleton(sp =>
        {
            // Built as the host starts: a process-wide propagator the app set since AddTracing() is wrapped again now.
            var runtime = sp.GetRequiredService<TracingRuntime>();
            TracePropagator.EnsureInstalled(runtime.Logger);
            return new TracePropagator(runtime, TracePropagator.Original);
        });
        services.Replace(ServiceDescriptor.Singleton<DistributedContextPropagator>(sp => sp.GetRequiredService<TracePropagator>()));
        services.TryAddSingleton<SentryTunnelRoutes>();
        services.TryAddSingleton(sp => new SentryTracer(sp.GetRequiredService<TracingRuntime>()));
        services.TryAddSingleton(sp => new SentryExporterOwner(sp.GetRequiredService<ConfiguredSentryDsn>(), sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance, sp.GetService<TimeProvider>()));
        services.TryAddSingleton(sp => new SpotlightExporterOwner(SpotlightSetting.Resolve(sp.GetRequiredService<IOptions<TracingOptions>>().Value.Spotlight), sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance, sp.GetService<TimeProvider>()));
        services.TryAddSingleton(sp => new ConsoleTraceExporter(
            sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance,
            ConsoleTraceExporter.ServiceNameOf(sp.GetRequiredService<IOptions<TracingOptions>>().Value, sp.GetService<IHostEnvironment>())));
        services.TryAddSingleton(sp => new TraceExportService(() => CreateExportPipeline(sp)));
        services.AddHostedService(sp => sp.GetRequiredService<TraceExportService>());
        services.TryAddEnumerable(ServiceDescriptor.Transient<IStartupFilter, TracingStartupFilter>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, TracingStartupDiagnostics>());
        services.AddHttpClient();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHttpMessageHandlerBuilderFilter, TracingHandlerBuilderFilter>());
        return registration;
    }

    /// <summary>
    /// The exporters are chosen once the options are known: the ones registered with
    /// <c>AddTraceExporter</c>, then the built-in ones the settings ask for.
    /// </summary>
    private static ExportPipeline CreateExportPipeline(IServiceProvider services)
    {
        var runtime = services.GetRequiredService<TracingRuntime>();
        var exporters = new List<ITraceExporter>(services.GetServices<ITraceExporter>());

        if (services.GetRequiredService<SentryExporterOwner>().Exporter is { } sentry)
        {
            exporters.Insert(0, sentry);
        }

        // Beside the DSN, never instead of it: Spotlight sees what Sentry gets.
        if (services.GetRequiredService<SpotlightExporterOwner>().Exporter is { } spotlight)
        {
            exporters.Insert(exporters.Count > 0 && exporters[0] is SentryTraceExporter ? 1 : 0, spotlight);
        }

        if (ConsoleTraceExporter.IsOn(runtime.Options, runtime.Dsn is not null, services.GetService<IHostEnvironment>()))
        {
            exporters.Add(services.GetRequiredService<ConsoleTraceExporter>());
        }

        return new ExportPipeline(runtime, exporters);
    }
}
