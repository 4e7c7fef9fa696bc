using System.Diagnostics;
using TraceMiddleware.Propagation;
using TraceMiddleware.Tracing;

namespace TraceMiddleware.Http;

/// <summary>
/// Adds <c>sentry-trace</c> and <c>baggage</c> (and, as configured, <c>traceparent</c> and
/// <c>tracestate</c>) to requests whose URL matches the propagation targets, inside an
/// <c>http.client</c> span; requests to any other URL get no trace header at all.
/// </summary>
internal sealed class TracePropagationHandler : DelegatingHandler
{
    private readonly TracingRuntime _runtime;

    public TracePropagationHandler(TracingRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        _runtime = runtime;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri;
        if (uri is null || !uri.IsAbsoluteUri || !_runtime.Targets.TryMatch(uri, out var target))
        {
            request.Options.Set(PropagationMark.Key, new PropagationMark(uri, sent: false));
            if (_runtime.Logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Debug))
            {
                TracingLog.OutgoingWithheld(_runtime.Logger, request.Method.Method, UrlForLog(uri), _runtime.Targets.Describe());
            }

            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var previous = Activity.Current;
        var foreignSampled = previous is null ? (bool?)null : previous.Recorded;
        var span = StartClientSpan(request, uri, out var root);
        try
        {
            var headers = OutgoingTraceInjector.Apply(request, span, root, _runtime, foreignSampled);
            request.Options.Set(PropagationMark.Key, new PropagationMark(uri, sent: true));
            if (_runtime.Logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Debug))
            {
                TracingLog.OutgoingPropagated(_runtime.Logger, request.Method.Method, UrlForLog(uri), OutgoingTraceInjector.Describe(headers), target!.Description);
            }

            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (span.IsAllDataRequested)
            {
                span.SetTag(SpanTags.HttpResponseStatusCode, StatusCodeTag.Box((int)response.StatusCode));
                SpanStatus.Set(span, SpanStatus.FromHttpStatusCode((int)response.StatusCode));
            }

            return response;
        }
        catch (Exception exception)
        {
            if (span.IsAllDataRequested)
            {
                SpanStatus.Set(span, exception is OperationCanceledException && cancellationToken.IsCancellationRequested ? SpanStatus.Cancelled : SpanStatus.InternalError);
                span.AddException(exception);
            }

            throw;
        }
        finally
        {
            span.Stop();
            Activity.Current = previous;
        }
    }

    /// <summary>
    /// A child of the current span; with no span of ours (a background job), a span that is never
    /// recorded but still carries a trace, so that .NET's propagator runs on every redirect hop.
    /// </summary>
    private Activity StartClientSpan(HttpRequestMessage request, Uri uri, out TraceRoot? root)
    {
        var name = request.Method.Method + " " + TargetUrl.ToText(uri);
        root = TraceRoot.Find(Activity.Current);
        Activity? span = root is not null
            ? _runtime.StartChild(name, SpanOps.HttpClient, SpanOps.OriginHttpClient, ActivityKind.Client, root)
            : null;

        if (span is null)
        {
            // Another instrumentation's span is current, or none: continue its trace (or start one) without
            // recording; the propagation context it carries is what Sentry's SDKs send in that case.
            var current = Activity.Current;
            var context = current is null
                ? default
                : new ActivityContext(current.TraceId, current.SpanId, current.ActivityTraceFlags);
            span = SpanListener.Start(name, ActivityKind.Client, context, record: false)
                ?? new Activity(name).Start();
            root = null;
        }
        else if (span.IsAllDataRequested)
        {
            span.SetTag(SpanTags.HttpRequestMethod, request.Method.Method);
            span.SetTag(SpanTags.UrlFull, TargetUrl.ToText(uri));
            span.SetTag(SpanTags.ServerAddress, uri.Host);
        }

        return span;
    }

    private static string UrlForLog(Uri? uri) => uri is null ? "(no URL)" : TargetUrl.ToText(uri) ?? uri.OriginalString;
}
