using System.Diagnostics;

namespace TraceMiddleware.Tracing;

/// <summary>
/// The one <see cref="ActivitySource"/> every span of this package is started from.
/// </summary>
/// <remarks>
/// OpenTelemetry users export the same spans by adding the source by name:
/// <c>tracerProviderBuilder.AddSource(TraceMiddlewareActivitySource.Name)</c>.
/// </remarks>
public static class TraceMiddlewareActivitySource
{
    /// <summary>The name of the activity source: <c>TraceMiddleware</c>.</summary>
    public const string Name = "TraceMiddleware";

    internal static readonly ActivitySource Source = new(Name, typeof(TraceMiddlewareActivitySource).Assembly.GetName().Version?.ToString(3));
}
