using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TraceMiddleware.Export;
using TraceMiddleware.Export.InMemory;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers where finished transactions go, besides the built-in exporters (Sentry when a DSN is set, the
/// console tree in Development). Every exporter receives every batch, on one background task. Takes
/// effect with <c>AddTracing()</c>, in any order.
/// </summary>
public static class TraceExporterServiceCollectionExtensions
{
    /// <summary>Adds <typeparamref name="TExporter"/> as a singleton exporter (once, however often called).</summary>
    /// <typeparam name="TExporter">The exporter; built by the container, so it may take services.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddTraceExporter<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TExporter>(this IServiceCollection services)
        where TExporter : class, ITraceExporter
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITraceExporter, TExporter>());
        return services;
    }

    /// <summary>Adds <paramref name="exporter"/> (once, however often called with the same instance).</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="exporter">The exporter.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddTraceExporter(this IServiceCollection services, ITraceExporter exporter)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(exporter);
        for (var i = 0; i < services.Count; i++)
        {
            if (services[i].ServiceType == typeof(ITraceExporter) && !services[i].IsKeyedService && ReferenceEquals(services[i].ImplementationInstance, exporter))
            {
                return services;
            }
        }

        services.AddSingleton(exporter);
        return services;
    }

    /// <summary>
    /// Adds an <see cref="InMemoryTraceExporter"/> for integration tests: resolve it with
    /// <c>factory.Services.GetRequiredService&lt;InMemoryTraceExporter&gt;()</c> and await
    /// <see cref="InMemoryTraceExporter.WaitForTransactionAsync"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddInMemoryTraceExporter(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<InMemoryTraceExporter>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITraceExporter, InMemoryTraceExporter>(static sp => sp.GetRequiredService<InMemoryTraceExporter>()));
        return services;
    }
}
