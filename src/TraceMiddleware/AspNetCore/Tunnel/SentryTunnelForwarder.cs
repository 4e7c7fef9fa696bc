using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using TraceMiddleware.Configuration;
using TraceMiddleware.Export.Sentry;
using TraceMiddleware.Http;

namespace TraceMiddleware.AspNetCore.Tunnel;

/// <summary>
/// Posts a checked envelope to its allowed DSN's endpoint and hands Sentry's answer to the browser; 502 when
/// Sentry cannot be reached, 504 when it does not answer in time. An outage is logged once, not per request.
/// </summary>
/// <remarks>
/// The upstream client carries no trace header, makes no span and follows no redirect
/// (<see cref="UntracedHttpHandler"/>): the URL posted to is always the configured DSN's endpoint.
/// </remarks>
internal sealed class SentryTunnelForwarder : IDisposable
{
    private readonly TimeSpan _timeout;
    private readonly HttpMessageInvoker _upstream;
    private readonly ILogger _logger;
    private int _failing;

    public SentryTunnelForwarder(TimeSpan timeout, ILogger logger, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(logger);
        _timeout = timeout;
        _logger = logger;
        _upstream = new HttpMessageInvoker(handler ?? UntracedHttpHandler.Create(), disposeHandler: true);
    }

    public async Task ForwardAsync(HttpContext context, SentryDsn allowed, byte[] buffer, int length, StringValues contentEncoding)
    {
        var request = context.Request;
        var endpoint = allowed.EnvelopeEndpoint;
        using var message = new HttpRequestMessage(HttpMethod.Post, endpoint);
        var content = new ByteArrayContent(buffer, 0, length);

        // The browser SDK posts text/plain (no CORS preflight); the body was checked to be an envelope, so it
        // is labelled as one: Sentry accepts either, but receivers such as Spotlight keep only this type.
        content.Headers.TryAddWithoutValidation(HeaderNames.ContentType, SentryProtocol.EnvelopeContentType);

        if (contentEncoding.Count > 0)
        {
            content.Headers.TryAddWithoutValidation(HeaderNames.ContentEncoding, contentEncoding.ToString());
        }

        message.Content = content;
        var forwardedFor = ForwardedForHeader.Append(request.Headers[ForwardedForHeader.Name], context.Connection.RemoteIpAddress);
        if (forwardedFor.Length > 0)
        {
            message.Headers.TryAddWithoutValidation(ForwardedForHeader.Name, forwardedFor);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(_timeout);
        HttpResponseMessage upstream;
        try
        {
            upstream = await _upstream.SendAsync(message, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        catch (OperationCanceledException)
        {
            var seconds = _timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
            await FailedAsync(context, endpoint, StatusCodes.Status504GatewayTimeout, $"Sentry did not answer within {seconds} s").ConfigureAwait(false);
            return;
        }
        catch (HttpRequestException e)
        {
            await FailedAsync(context, endpoint, StatusCodes.Status502BadGateway, $"Sentry cannot be reached ({e.HttpRequestError})").ConfigureAwait(false);
            return;
        }

        using (upstream)
        {
            if (Interlocked.Exchange(ref _failing, 0) == 1)
            {
                SentryTunnelLog.UpstreamRecovered(_logger, endpoint);
            }

            SentryTunnelLog.Forwarded(_logger, request.Path.Value ?? "/", allowed.ProjectId, endpoint, (int)upstream.StatusCode);
            await SentryTunnelResponse.CopyAsync(upstream, context, timeout.Token).ConfigureAwait(false);
        }
    }

    public void Dispose() => _upstream.Dispose();

    private async Task FailedAsync(HttpContext context, Uri endpoint, int statusCode, string reason)
    {
        if (Interlocked.Exchange(ref _failing, 1) == 0)
        {
            SentryTunnelLog.UpstreamFailing(_logger, endpoint, reason, statusCode);
        }
        else
        {
            SentryTunnelLog.UpstreamFailed(_logger, context.Request.Path.Value ?? "/", endpoint, statusCode, reason);
        }

        await SentryTunnelResponse.WriteAsync(context, statusCode, reason).ConfigureAwait(false);
    }
}
