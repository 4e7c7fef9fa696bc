using System.Diagnostics;
using TraceMiddleware.Propagation;
using TraceMiddleware.Tracing;

namespace TraceMiddleware.Http;

/// <summary>
/// The library's handler on <c>IHttpClientFactory</c> clients. Where the client's primary handler runs .NET's own
/// DiagnosticsHandler with the library's propagator (the default), .NET makes the <c>http.client</c> span and the
/// propagator decides the headers on every hop; this handler only makes sure a trace exists for a call made outside
/// any span. Where it does not (a primary handler without a propagator, or activity propagation switched off), this
/// handler makes the <c>http.client</c> span itself and adds the headers for targets.
/// </summary>
internal sealed class TracePropagationHandler : DelegatingHandler
{
    private readonly TracingRuntime _runtime;

    public TracePropagationHandler(TracingRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        _runtime = runtime;
    }

    /// <summary>
    /// Whether .NET asks the library's propagator on every hop of this client's requests (set when the client's
    /// handler chain is built, from its primary handler).
    /// </summary>
    public bool HopsVisible { get; set; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (HopsVisible && Activity.Current is not null)
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var previous = Activity.Current;
        var name = request.Method.Method + " " + TargetUrl.ForLog(request.RequestUri);

        // Outside any span, the call still carries a trace of its own (deferred, never recorded), as Sentry's SDKs
        // do without a parent; .NET's span for it, or ours below, is its child.
        var context = previous is null ? StartPropagationRoot(name) : null;
        try
        {
            return HopsVisible
                ? await base.SendAsync(request, cancellationToken).ConfigureAwait(false)
                : await SendWithOwnSpanAsync(request, name, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (context is not null)
            {
                context.Stop();
                Activity.Current = previous;
            }
        }
    }

    private Activity StartPropagationRoot(string name) =>
        _runtime.StartRoot(name, ActivityKind.Client, null, activity => TraceRoot.Deferred(_runtime, activity, SpanOps.HttpClient, SpanOps.OriginHttpClient)).Activity;

    private async Task<HttpResponseMessage> SendWithOwnSpanAsync(HttpRequestMessage request, string name, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri;
        var current = Activity.Current;
        var root = TraceRoot.Find(current);
        var span = root is not null && ReferenceEquals(root.Runtime, _runtime)
            ? _runtime.StartChild(name, SpanOps.HttpClient, SpanOps.OriginHttpClient, ActivityKind.Client, root)
            : null;
        if (span is not null && root!.Recording)
        {
            span.SetTag(SpanTags.HttpRequestMethod, request.Method.Method);
            span.SetTag(SpanTags.UrlFull, TargetUrl.ToText(uri!));
            span.SetTag(SpanTags.ServerAddress, uri!.Host);
        }

        try
        {
            Decide(request, span ?? current, span is null ? null : root);
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (span is { IsAllDataRequested: true })
            {
                span.SetTag(SpanTags.HttpResponseStatusCode, StatusCodeTag.Box((int)response.StatusCode));
                SpanStatus.Set(span, SpanStatus.FromHttpStatusCode((int)response.StatusCode));
            }

            return response;
        }
        catch (Exception exception) when (span is { IsAllDataRequested: true })
        {
            SpanStatus.Set(span, exception is OperationCanceledException && cancellationToken.IsCancellationRequested ? SpanStatus.Cancelled : SpanStatus.InternalError);
            span.AddException(exception);
            throw;
        }
        finally
        {
            span?.Stop();
        }
    }

    /// <summary>Adds the headers of <paramref name="span"/>'s trace when the URL is a target, and says so.</summary>
    private void Decide(HttpRequestMessage request, Activity? span, TraceRoot? root)
    {
        var uri = request.RequestUri;
        if (span is null || uri is null || !uri.IsAbsoluteUri || !_runtime.Targets.TryMatch(uri, out var target))
        {
            request.Options.Set(PropagationMark.Key, new PropagationMark(uri, sent: false, byHandler: true));
            if (_runtime.Logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Debug))
            {
                TracingLog.OutgoingWithheld(_runtime.Logger, request.Method.Method, TargetUrl.ForLog(uri), _runtime.Targets.Describe());
            }

            return;
        }

        var w3c = OutgoingTraceInjector.W3CSpan(span);
        root ??= TraceRoot.Find(w3c);
        var headers = OutgoingTraceInjector.Apply(request, w3c, root, _runtime, root is null ? w3c.Recorded : null);
        request.Options.Set(PropagationMark.Key, new PropagationMark(uri, sent: true, byHandler: true));
        if (_runtime.Logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Debug))
        {
            TracingLog.OutgoingPropagated(_runtime.Logger, request.Method.Method, TargetUrl.ForLog(uri), OutgoingTraceInjector.Describe(headers), target!.Description);
        }
    }
}
