using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using TraceMiddleware.DependencyInjection;
using TraceMiddleware.Propagation;
using TraceMiddleware.Tracing;

namespace TraceMiddleware.AspNetCore;

/// <summary>
/// Continues the trace a request arrived with (or starts one) and wraps the rest of the pipeline in an
/// <c>http.server</c> span, named after the route once routing has run.
/// </summary>
internal sealed class TracingMiddleware
{
    private readonly RequestDelegate _next;
    private readonly TracingRuntime _runtime;

    public TracingMiddleware(RequestDelegate next, TracingRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(runtime);
        _next = next;
        _runtime = runtime;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        // A Sentry tunnel request carries telemetry about telemetry: it gets no span of its own.
        if (_runtime.TunnelRoutes.IsTunnelRequest(context))
        {
            await _next(context);
            return;
        }

        var previous = Activity.Current;
        var root = StartRoot(context);
        if (root is null)
        {
            await _next(context);
            return;
        }

        var activity = root.Activity;
        var failed = false;
        try
        {
            await _next(context);
        }
        catch (Exception exception)
        {
            failed = true;
            if (activity.IsAllDataRequested)
            {
                activity.AddException(exception);
            }

            throw;
        }
        finally
        {
            Finish(context, root, failed);
            activity.Stop();
            Activity.Current = previous;
        }
    }

    private TraceRoot? StartRoot(HttpContext context)
    {
        var request = context.Request;
        var options = _runtime.Options;
        IncomingTrace? incoming = null;
        ContinuationOutcome outcome;
        if (options.TrustIncomingTraceHeaders is { } trust && !trust(context))
        {
            outcome = ContinuationOutcome.Untrusted;
        }
        else
        {
            incoming = IncomingTrace.Read(
                new RequestTraceHeaders(request.Headers),
                options.ContinueFromTraceparent,
                _runtime.OrgId,
                options.StrictTraceContinuation,
                out outcome);
        }

        var path = request.PathBase.HasValue ? request.PathBase.Add(request.Path).Value : request.Path.Value;
        var name = request.Method + " " + (string.IsNullOrEmpty(path) ? "/" : path);
        var root = _runtime.StartRoot(name, SpanOps.HttpServer, SpanOps.OriginAspNetCore, ActivityKind.Server, incoming, request.Method, context);
        if (_runtime.Logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Debug))
        {
            TracingLog.IncomingRequest(_runtime.Logger, request.Method, path ?? "/", TracingDiagnostics.Describe(outcome), TracingDiagnostics.DescribeDecision(root, request.Method), root?.Activity.TraceId.ToHexString() ?? string.Empty);
        }

        if (root is null)
        {
            return null;
        }

        if (options.ServerTimingHeader)
        {
            ServerTimingHeader.Register(context, root);
        }

        root.HttpContext = context;
        root.TransactionSource = "url";
        if (root.Activity.IsAllDataRequested)
        {
            root.Activity.SetTag(SpanTags.Source, root.TransactionSource);
            root.Activity.SetTag(SpanTags.HttpRequestMethod, request.Method);
            root.Activity.SetTag(SpanTags.UrlPath, path);
        }

        return root;
    }

    private static void Finish(HttpContext context, TraceRoot root, bool failed)
    {
        root.RefreshName();
        root.HttpContext = null;
        var activity = root.Activity;
        if (!activity.IsAllDataRequested)
        {
            return;
        }

        string status;
        int statusCode;
        if (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away: whatever the endpoint threw on the way out is a consequence.
            status = SpanStatus.Cancelled;
            statusCode = StatusCodes.Status499ClientClosedRequest;
        }
        else if (failed)
        {
            status = SpanStatus.InternalError;
            statusCode = context.Response.HasStarted ? context.Response.StatusCode : StatusCodes.Status500InternalServerError;
        }
        else
        {
            statusCode = context.Response.StatusCode;
            status = SpanStatus.FromHttpStatusCode(statusCode);
        }

        activity.SetTag(SpanTags.HttpResponseStatusCode, StatusCodeTag.Box(statusCode));
        SpanStatus.Set(activity, status);
    }
}
