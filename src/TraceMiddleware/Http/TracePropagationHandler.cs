using System.Diagnostics;
using TraceMiddleware.Propagation;
using TraceMiddleware.Tracing;

namespace TraceMiddleware.Http;

/// <summary>
/// The library's handler on <c>IHttpClientFactory</c> clients, outermost. Where the client's primary handler runs
/// .NET's own DiagnosticsHandler with the library's propagator (the default), .NET makes the <c>http.client</c> span
/// and the propagator decides the headers on every hop; this handler only makes sure a call outside any span carries
/// a trace. Where .NET asks no propagator of ours (a primary handler without one, or activity propagation switched
/// off), this handler makes the <c>http.client</c> span itself, follows the redirects itself (the primary handler's
/// own following is switched off) and <see cref="TraceHeaderGuardHandler"/>, innermost, decides the headers on every
/// hop; where it cannot switch the primary handler's redirects off, it sends no trace header at all.
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

    /// <summary>How many redirects this handler follows itself, where .NET asks no propagator of ours; 0 when the primary handler follows none.</summary>
    public int RedirectsToFollow { get; set; }

    /// <summary>Whether this client sends no trace header: its primary handler may follow redirects no one of ours can see.</summary>
    public bool Withholds { get; set; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (Withholds || (HopsVisible && Activity.Current is not null))
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
        var root = TraceRoot.Find(Activity.Current);
        var span = root is not null && ReferenceEquals(root.Runtime, _runtime)
            ? _runtime.StartChild(name, SpanOps.HttpClient, SpanOps.OriginHttpClient, ActivityKind.Client, root)
            : null;
        var recording = span is not null && root!.Recording;
        if (recording && request.RequestUri is { IsAbsoluteUri: true } uri)
        {
            span!.SetTag(SpanTags.HttpRequestMethod, request.Method.Method);
            span.SetTag(SpanTags.UrlFull, TargetUrl.ToText(uri));
            span.SetTag(SpanTags.ServerAddress, uri.Host);
        }

        try
        {
            var response = await SendFollowingRedirectsAsync(request, cancellationToken).ConfigureAwait(false);
            if (recording)
            {
                span!.SetTag(SpanTags.HttpResponseStatusCode, StatusCodeTag.Box((int)response.StatusCode));
                SpanStatus.Set(span, SpanStatus.FromHttpStatusCode((int)response.StatusCode));
            }

            return response;
        }
        catch (Exception exception) when (recording)
        {
            SpanStatus.Set(span!, exception is OperationCanceledException && cancellationToken.IsCancellationRequested ? SpanStatus.Cancelled : SpanStatus.InternalError);
            span!.AddException(exception);
            throw;
        }
        finally
        {
            span?.Stop();
        }
    }

    /// <summary>Sends, and follows redirects as .NET would have, so that every hop passes the header guard.</summary>
    private async Task<HttpResponseMessage> SendFollowingRedirectsAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        for (var hops = 0; hops < RedirectsToFollow && RedirectRules.NextUri(request, response) is { } next; hops++)
        {
            RedirectRules.Prepare(request, response.StatusCode, next);
            response.Dispose();
            response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        return response;
    }
}
