using Microsoft.Extensions.Configuration;

namespace TraceMiddleware.Configuration;

/// <summary>
/// What <c>AddTracing</c> was told, kept as a singleton so that calling it several times (with a
/// section, with code, or both) registers everything once and binds the right sections.
/// </summary>
internal sealed class TracingRegistration
{
    public const string DefaultSectionName = "Tracing";

    /// <summary>Sections given to <c>AddTracing(IConfiguration)</c>; when none, the <c>Tracing</c> section is bound.</summary>
    public List<IConfiguration> Sections { get; } = [];

    /// <summary>Set by <c>UseTracing()</c>: the automatic middleware then steps aside.</summary>
    public bool PlacedByHand { get; set; }

    public string SectionPath => Sections.Count > 0 && Sections[0] is IConfigurationSection s ? s.Path : DefaultSectionName;
}
