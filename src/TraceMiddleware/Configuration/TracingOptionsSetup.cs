using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace TraceMiddleware.Configuration;

/// <summary>Binds the configuration sections first, so that settings made in code win.</summary>
internal sealed class TracingOptionsSetup : IConfigureOptions<TracingOptions>
{
    private readonly TracingRegistration _registration;
    private readonly IConfiguration? _configuration;

    public TracingOptionsSetup(TracingRegistration registration, IConfiguration? configuration = null)
    {
        _registration = registration;
        _configuration = configuration;
    }

    public void Configure(TracingOptions options)
    {
        if (_registration.Sections.Count == 0)
        {
            if (_configuration?.GetSection(TracingRegistration.DefaultSectionName) is { } section && section.Exists())
            {
                TracingOptionsBinder.Bind(section, options);
            }

            return;
        }

        foreach (var section in _registration.Sections)
        {
            TracingOptionsBinder.Bind(section, options);
        }
    }
}
