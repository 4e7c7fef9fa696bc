using System.Diagnostics;
using TraceMiddleware.Tracing;

namespace TraceMiddleware.Http;

/// <summary>
/// The innermost handler of a client where .NET asks no propagator of ours: it decides the trace headers at the URL
/// the request really goes to (after any handler that rewrote it, on every redirect hop the outer
/// <see cref="TracePropagationHandler"/> follows), as .NET's own per-hop hook would.
/// </summary>
internal sealed class TraceHeaderGuardHandler : DelegatingHandler
{
    private readonly TracingRuntime _runtime;

    public TraceHeaderGuardHandler(TracingRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        _runtime = runtime;
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        OutgoingPropagation.Decide(request, Activity.Current, _runtime, byHandler: true);
        return base.SendAsync(request, cancellationToken);
    }
}
