using System.Diagnostics;
using OpenTelemetry;
using TraceMiddleware.Tracing;

namespace TraceMiddleware.OpenTelemetry;

/// <summary>
/// Hands the spans OpenTelemetry records from other sources (a database client's, the app's own
/// <c>ActivitySource</c>) to the Sentry transaction of the request or root they belong to, so that Sentry gets
/// the spans OpenTelemetry exports. The library's own sources reach it through its own listener.
/// </summary>
internal sealed class TraceMiddlewareSpanProcessor : BaseProcessor<Activity>
{
    private readonly TracingRuntime? _runtime;

    public TraceMiddlewareSpanProcessor(TracingRuntime? runtime) => _runtime = runtime;

    public override void OnEnd(Activity data)
    {
        if (!data.Recorded || data.Source.Name is TracingRuntime.HostingActivitySourceName or SpanListener.HttpClientSourceName or TraceMiddlewareActivitySource.Name)
        {
            return;
        }

        if (TraceRoot.Find(data.Parent) is { } root && (_runtime is null || ReferenceEquals(root.Runtime, _runtime)))
        {
            root.Runtime.OnSpanStopped(data, root);
        }
    }
}
