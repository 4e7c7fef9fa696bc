using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;
using TraceMiddleware.Http;
using TraceMiddleware.Tracing;

namespace TraceMiddleware.DependencyInjection;

/// <summary>Adds the trace handler, outermost, to every <c>IHttpClientFactory</c> client that has none yet.</summary>
internal sealed class TracingHandlerBuilderFilter : IHttpMessageHandlerBuilderFilter
{
    private readonly TracingRuntime _runtime;
    private readonly bool _enabled;

    public TracingHandlerBuilderFilter(TracingRuntime runtime, IOptions<TracingOptions> options)
    {
        _runtime = runtime;
        _enabled = options.Value.InstrumentAllHttpClients;
    }

    public Action<HttpMessageHandlerBuilder> Configure(Action<HttpMessageHandlerBuilder> next) => builder =>
    {
        next(builder);
        if (!_enabled || HasTraceHandler(builder.AdditionalHandlers))
        {
            return;
        }

        builder.AdditionalHandlers.Insert(0, new TracePropagationHandler(_runtime));
    };

    internal static bool HasTraceHandler(IList<DelegatingHandler> handlers)
    {
        for (var i = 0; i < handlers.Count; i++)
        {
            if (handlers[i] is TracePropagationHandler)
            {
                return true;
            }
        }

        return false;
    }
}
