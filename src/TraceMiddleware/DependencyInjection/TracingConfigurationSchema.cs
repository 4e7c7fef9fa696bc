using TraceMiddleware.AspNetCore.Tunnel;
using TraceMiddleware.Configuration;

namespace TraceMiddleware.DependencyInjection;

/// <summary>
/// The keys of the tracing section, from the binders' own tables: an option a binder reads is known, and
/// nothing else is. A new sub-section is one line here; a new option, one line in its binder's table.
/// </summary>
internal static class TracingConfigurationSchema
{
    public static ConfigurationSchema Tracing { get; } = new(
        TracingOptionsBinder.Keys.Select(k => k.Name),
        new Dictionary<string, ConfigurationSchema>
        {
            [SentryTunnelOptionsBinder.SectionName] = new(SentryTunnelOptionsBinder.Keys.Select(k => k.Name)),
        });
}
