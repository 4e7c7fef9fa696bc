using TraceMiddleware.DependencyInjection;
using TraceMiddleware.Http;
using TraceMiddleware.Tracing;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Places the trace handler on one <c>IHttpClientFactory</c> client by hand.</summary>
public static class TracingHttpClientBuilderExtensions
{
    /// <summary>
    /// Adds the trace handler at this position of the client's handler chain (for example outside or
    /// inside a retry handler). Every client already gets one, outermost, unless
    /// <see cref="TraceMiddleware.Configuration.TracingOptions.InstrumentAllHttpClients"/> is off; a client never gets two.
    /// </summary>
    /// <param name="builder">The client builder.</param>
    /// <returns>The client builder.</returns>
    public static IHttpClientBuilder AddTracePropagation(this IHttpClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddTracing();
        return builder.ConfigureAdditionalHttpMessageHandlers(static (handlers, services) =>
        {
            if (TracingHandlerBuilderFilter.FindTraceHandler(handlers) is null)
            {
                handlers.Add(new TracePropagationHandler(services.GetRequiredService<TracingRuntime>()));
            }
        });
    }
}
