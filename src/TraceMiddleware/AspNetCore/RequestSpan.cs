using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using TraceMiddleware.Propagation;
using TraceMiddleware.Tracing;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.AspNetCore;

/// <summary>The request's <c>http.server</c> span: which activity it is, and what it reports when the request ends.</summary>
internal static class RequestSpan
{
    /// <summary>
    /// Reads the incoming trace and makes <paramref name="hosting"/> (ASP.NET Core's activity, which this host's
    /// propagator already started with the caller as parent) the request's root span; only when that activity cannot
    /// be it, starts one of our own in its place. The decision is made now, or, when a sampler wants the route, as
    /// routing chooses the endpoint (at the latest before anything is propagated).
    /// </summary>
    public static TraceRoot Begin(HttpContext context, Activity? hosting, TracingRuntime runtime)
    {
        var request = context.Request;
        var options = runtime.Options;
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
                runtime.OrgId,
                options.StrictTraceContinuation,
                out outcome);
        }

        TraceRoot root;
        if (hosting is not null && Continues(hosting, incoming))
        {
            root = Configure(hosting, context, runtime, incoming, outcome);
            TraceRoot.Attach(hosting, root);
            if (!runtime.DecidesAfterRouting)
            {
                root.EnsureDecided();
            }
        }
        else
        {
            Suppress(hosting);
            root = StartOwnRoot(context, runtime, incoming, outcome);
        }

        if (!root.IsDecided || runtime.Ignore.NeedRoute)
        {
            if (context.GetEndpoint() is not null)
            {
                // Placed after routing: the route is known already.
                root.RefreshName();
                root.EnsureDecided();
            }
            else
            {
                // Routing tells the root when it has chosen the endpoint: the sampler and the ignore rules see the route.
                context.Features.Set<IEndpointFeature>(root);
            }
        }

        if (options.ServerTimingHeader)
        {
            ServerTimingHeader.Register(context, root);
        }

        return root;
    }

    // The rare path (hierarchical ids, another propagator, an untrusted caller): only here does a closure capture the
    // request, so the usual path allocates none.
    private static TraceRoot StartOwnRoot(HttpContext context, TracingRuntime runtime, IncomingTrace? incoming, ContinuationOutcome outcome) =>
        runtime.StartRoot(SpanOps.HttpServer, ActivityKind.Server, incoming, activity => Configure(activity, context, runtime, incoming, outcome));

    private static TraceRoot Configure(Activity activity, HttpContext context, TracingRuntime runtime, IncomingTrace? incoming, ContinuationOutcome outcome)
    {
        var root = new TraceRoot(runtime, activity, incoming, SpanOps.HttpServer, SpanOps.OriginAspNetCore)
        {
            Outcome = outcome,
            SyntheticParent = incoming is { HasParentSpanId: false },
            HttpContext = context,
        };
        root.NameAfterUrlLater();
        return root;
    }

    /// <summary>Names the span after the route, decides if nothing has yet, and records the outcome.</summary>
    public static void End(HttpContext context, TraceRoot root, bool failed)
    {
        root.RefreshName();
        root.EnsureDecided();
        var runtime = root.Runtime;
        if (root.Recording && runtime.Ignore.IgnoresRequest(context, root.Name))
        {
            root.Ignore();
        }

        root.HttpContext = null;
        if (!root.Recording)
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

        if (runtime.Ignore.IgnoresStatusCode(statusCode))
        {
            root.Ignore();
            return;
        }

        var activity = root.Activity;
        activity.SetTag(SpanTags.HttpResponseStatusCode, StatusCodeTag.Box(statusCode));
        SpanStatus.Set(activity, status);
        RequestFacts.Take(context, root, runtime.Options.SendDefaultPii);
    }

    /// <summary>Keeps a span out of every exporter: no recorded flag, no data.</summary>
    public static void Suppress(Activity? activity)
    {
        if (activity is not null)
        {
            activity.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
            activity.IsAllDataRequested = false;
        }
    }

    /// <summary>
    /// Whether ASP.NET Core's activity is in the trace the library continues (or starts): this host's propagator
    /// started it from the same headers, unless the caller is untrusted, another propagator replaced ours, or the
    /// process makes hierarchical ids.
    /// </summary>
    private static bool Continues(Activity hosting, IncomingTrace? incoming)
    {
        if (hosting.IdFormat != ActivityIdFormat.W3C || hosting.IsStopped)
        {
            return false;
        }

        if (incoming is null)
        {
            return hosting.Parent is null && !hosting.HasRemoteParent;
        }

        return hosting.HasRemoteParent
            && HexId.FromActivityTraceId(hosting.TraceId) == incoming.TraceId
            && (!incoming.HasParentSpanId || HexId.FromActivitySpanId(hosting.ParentSpanId) == incoming.ParentSpanId);
    }
}
