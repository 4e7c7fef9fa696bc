using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using TraceMiddleware.OpenTelemetry;
using TraceMiddleware.Tracing;

namespace OpenTelemetry.Trace;

/// <summary>Makes an OpenTelemetry <see cref="TracerProvider"/> part of TraceMiddleware's tracing: <c>.AddTraceMiddleware()</c>.</summary>
public static class TraceMiddlewareTracerProviderBuilderExtensions
{
    /// <summary>
    /// Exports the spans TraceMiddleware makes (ASP.NET Core's request spans, .NET's <c>http.client</c> spans, spans
    /// started with <c>SentryTracer</c>) with this provider, and makes OpenTelemetry's SDK and instrumentation
    /// (<c>AddAspNetCoreInstrumentation</c>, <c>AddHttpClientInstrumentation</c>) agree with it: one server span per
    /// request in the incoming trace, one sampling decision (the Sentry one) for every span, no trace header to a
    /// host that is not a propagation target, and the spans of other sources in a request also sent to Sentry.
    /// Call it in the same app as <c>services.AddTracing()</c>; it sets OpenTelemetry's sampler and, process-wide,
    /// its default propagator.
    /// </summary>
    /// <param name="builder">The tracer provider builder.</param>
    /// <returns>The tracer provider builder.</returns>
    public static TracerProviderBuilder AddTraceMiddleware(this TracerProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        Sdk.SetDefaultTextMapPropagator(new TraceMiddlewarePropagator());
        return builder
            .AddSource(TraceMiddlewareActivitySource.Name, TracingRuntime.HostingActivitySourceName, SpanListener.HttpClientSourceName)
            .SetSampler(sp => new TraceMiddlewareSampler(sp.GetService<TracingRuntime>()))
            .AddProcessor(sp => new TraceMiddlewareSpanProcessor(sp.GetService<TracingRuntime>()));
    }
}
