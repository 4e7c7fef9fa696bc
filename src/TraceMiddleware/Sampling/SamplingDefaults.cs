using System.Collections.ObjectModel;

namespace TraceMiddleware.Sampling;

/// <summary>Defaults of the sampling options.</summary>
internal static class SamplingDefaults
{
    /// <summary>
    /// The HTTP methods whose requests are never sampled, as in Sentry's JavaScript SDK: <c>OPTIONS</c> and
    /// <c>HEAD</c> (compared case-insensitively). The trace headers still flow.
    /// </summary>
    public static IReadOnlyList<string> UnsampledHttpMethods { get; } = new ReadOnlyCollection<string>(["OPTIONS", "HEAD"]);
}
