using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using TraceMiddleware.AspNetCore.Tunnel;
using TraceMiddleware.Tracing;

namespace TraceMiddleware.AspNetCore;

/// <summary>
/// Makes the request's span (ASP.NET Core's own activity) Sentry's <c>http.server</c> span: the trace it continues,
/// the sampling decision, its name after the route, its status. Only where ASP.NET Core's activity cannot be that
/// span (an untrusted caller it continued anyway, another propagator in the host, hierarchical ids) does it start
/// one of its own and leave ASP.NET Core's unrecorded, so a request has exactly one server span.
/// </summary>
internal sealed class TracingMiddleware
{
    private readonly RequestDelegate _next;
    private readonly TracingRuntime _runtime;
    private readonly SentryTunnelRoutes _tunnels;

    public TracingMiddleware(RequestDelegate next, TracingRuntime runtime, SentryTunnelRoutes tunnels)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(tunnels);
        _next = next;
        _runtime = runtime;
        _tunnels = tunnels;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var hosting = context.Features.Get<IHttpActivityFeature>()?.Activity;

        // A Sentry tunnel request carries telemetry about telemetry: it gets no span.
        if (_tunnels.IsTunnelRequest(context))
        {
            RequestSpan.Suppress(hosting);
            await _next(context);
            return;
        }

        var previous = Activity.Current;
        var root = RequestSpan.Begin(context, hosting, _runtime);
        var owned = !ReferenceEquals(root.Activity, hosting);
        var failed = false;
        try
        {
            await _next(context);
        }
        catch (Exception exception)
        {
            failed = true;
            if (root.Recording)
            {
                root.Activity.AddException(exception);
            }

            throw;
        }
        finally
        {
            RequestSpan.End(context, root, failed);
            if (owned)
            {
                root.Activity.Stop();
                Activity.Current = previous;
            }
        }
    }
}
