using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TraceMiddleware.DependencyInjection;
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
    /// header injection, <see cref="SentryTracer"/> and the tag helper's services.
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

        // .NET reads DistributedContextPropagator.Current when it builds a handler: install the guard
        // now, before anything can build one.
        TargetGuardPropagator.Install();

        var registration = new TracingRegistration();
        services.AddSingleton(registration);
        services.AddOptions<TracingOptions>().ValidateOnStart();
        services.AddSingleton<IConfigureOptions<TracingOptions>>(sp => new TracingOptionsSetup(registration, sp.GetService<IConfiguration>()));
        services.AddSingleton<IValidateOptions<TracingOptions>>(new TracingOptionsValidator(registration));
        services.TryAddSingleton(sp => new TracingRuntime(
            sp.GetRequiredService<IOptions<TracingOptions>>(),
            sp.GetService<IHostEnvironment>(),
            sp.GetService<ILoggerFactory>()));
        services.TryAddSingleton(sp => new SentryTracer(sp.GetRequiredService<TracingRuntime>()));
        services.TryAddEnumerable(ServiceDescriptor.Transient<IStartupFilter, TracingStartupFilter>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, TracingStartupDiagnostics>());
        services.AddHttpClient();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHttpMessageHandlerBuilderFilter, TracingHandlerBuilderFilter>());
        return registration;
    }
}
