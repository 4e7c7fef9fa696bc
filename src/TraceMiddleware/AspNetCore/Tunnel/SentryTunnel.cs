using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace TraceMiddleware.AspNetCore.Tunnel;

/// <summary>
/// The endpoint behind <c>MapSentryTunnel</c>: receives an envelope from Sentry's browser SDK (its
/// <c>tunnel</c> option), checks the DSN in the envelope header against the allowed ones and posts the
/// body, byte for byte, to that DSN's envelope endpoint; the browser gets Sentry's answer.
/// </summary>
/// <remarks>
/// Nothing is ever fetched for an envelope whose DSN is not allowed: the URL posted to is always the
/// allowed DSN's endpoint (<see cref="SentryTunnelAllowList"/>). Tunnel requests are not traced, and
/// neither is the call to Sentry: telemetry about telemetry would only add noise.
/// </remarks>
internal sealed class SentryTunnel : IDisposable
{
    private readonly SentryTunnelAllowList _allowList;
    private readonly int _maxBodySize;
    private readonly SentryTunnelForwarder _forwarder;
    private readonly ILogger _logger;

    public SentryTunnel(SentryTunnelAllowList allowList, long maxBodySize, TimeSpan timeout, ILogger logger, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(allowList);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBodySize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxBodySize, Array.MaxLength - 1);
        _allowList = allowList;
        _maxBodySize = (int)maxBodySize;
        _logger = logger;
        _forwarder = new SentryTunnelForwarder(timeout, logger, handler);
    }

    public async Task HandleAsync(HttpContext context)
    {
        // The request is not traced, but ASP.NET Core's own activity (or another tracer's) may be current:
        // nothing done here may become its child. Scoped to this async method.
        Activity.Current = null;

        var request = context.Request;
        if (request.ContentLength is long declared && declared > _maxBodySize)
        {
            await RejectAsync(context, StatusCodes.Status413PayloadTooLarge, TooLarge()).ConfigureAwait(false);
            return;
        }

        var contentEncoding = request.Headers.ContentEncoding;
        if (!ContentEncodingHeader.TryParse(contentEncoding, out var coding))
        {
            context.Response.Headers.AcceptEncoding = ContentEncodingHeader.Supported;
            await RejectAsync(context, StatusCodes.Status415UnsupportedMediaType, $"the Content-Encoding '{contentEncoding}' is not supported; send the envelope plain or as gzip, deflate or br").ConfigureAwait(false);
            return;
        }

        byte[]? buffer = null;
        try
        {
            int length;
            try
            {
                (buffer, length) = await SentryTunnelBodyReader.ReadAsync(request.Body, request.ContentLength, _maxBodySize, context.RequestAborted).ConfigureAwait(false);
            }
            catch (BadHttpRequestException e)
            {
                // The server's own limit (IHttpMaxRequestBodySizeFeature) is left as it is: a lower one wins
                // with the same 413. Lowering it to ours would not be exact, as Kestrel counts chunk framing.
                await RejectAsync(context, e.StatusCode, e.StatusCode == StatusCodes.Status413PayloadTooLarge ? "the body is larger than the server allows" : "the body could not be read").ConfigureAwait(false);
                return;
            }
            catch (Exception e) when ((e is IOException or OperationCanceledException) && context.RequestAborted.IsCancellationRequested)
            {
                return;
            }

            if (length > _maxBodySize)
            {
                await RejectAsync(context, StatusCodes.Status413PayloadTooLarge, TooLarge()).ConfigureAwait(false);
                return;
            }

            if (length == 0)
            {
                await RejectAsync(context, StatusCodes.Status400BadRequest, "the body is empty").ConfigureAwait(false);
                return;
            }

            if (!EnvelopeDsnReader.TryReadDsn(buffer, length, coding, out var dsn, out var reason)
                || !_allowList.TryMatch(dsn, out var allowed, out reason))
            {
                await RejectAsync(context, StatusCodes.Status400BadRequest, reason).ConfigureAwait(false);
                return;
            }

            await _forwarder.ForwardAsync(context, allowed, buffer, length, contentEncoding).ConfigureAwait(false);
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    public void Dispose() => _forwarder.Dispose();

    private async Task RejectAsync(HttpContext context, int statusCode, string reason)
    {
        SentryTunnelLog.Rejected(_logger, context.Request.Path.Value ?? "/", statusCode, reason);
        await SentryTunnelResponse.WriteAsync(context, statusCode, reason).ConfigureAwait(false);
    }

    private string TooLarge() => $"the body is larger than {_maxBodySize.ToString(CultureInfo.InvariantCulture)} bytes";
}
