using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using TraceMiddleware.Configuration;
using TraceMiddleware.DependencyInjection;

namespace TraceMiddleware.AspNetCore.Tunnel;

/// <summary>
/// The endpoint behind <c>MapSentryTunnel</c>: receives an envelope from Sentry's browser SDK (its
/// <c>tunnel</c> option), checks the DSN in the envelope header against the allowed ones and posts the
/// body, byte for byte, to that DSN's envelope endpoint; the browser gets Sentry's answer.
/// </summary>
/// <remarks>
/// Nothing is ever fetched for an envelope whose DSN is not allowed: the URL posted to is always the
/// allowed DSN's endpoint (<see cref="SentryTunnelAllowList"/>). What the tunnel holds is bounded: each body
/// has <see cref="SentryTunnelOptions.RequestBodyTimeout"/> to arrive, and all bodies together at most
/// <see cref="SentryTunnelOptions.MaxBufferedBytes"/>. Tunnel requests are not traced, and neither is the
/// call to Sentry: telemetry about telemetry would only add noise.
/// </remarks>
internal sealed class SentryTunnel : IDisposable
{
    private static readonly long FullLogInterval = (long)TimeSpan.FromMinutes(1).TotalMilliseconds;

    private readonly SentryTunnelAllowList _allowList;
    private readonly int _maxBodySize;
    private readonly TimeSpan _bodyTimeout;
    private readonly string _retryAfter;
    private readonly SentryTunnelBudget _budget;
    private readonly string _budgetKey;
    private readonly SentryTunnelForwarder _forwarder;
    private readonly ILogger _logger;
    private readonly SentryTunnelLocalView? _local;
    private long _fullLoggedAt;
    private long _refusedSinceLog;

    /// <param name="allowList">The DSNs envelopes may go to.</param>
    /// <param name="options">Validated options; their values are copied.</param>
    /// <param name="sectionPath">The options' configuration section, for the key a log line names.</param>
    /// <param name="logger">The package's logger.</param>
    /// <param name="handler">The handler of the calls to Sentry; <see cref="Http.UntracedHttpHandler"/> when none.</param>
    /// <param name="local">What the browser's envelopes are also shown to (the console tree, Spotlight), which the tunnel then owns; none when null.</param>
    public SentryTunnel(SentryTunnelAllowList allowList, SentryTunnelOptions options, string sectionPath, ILogger logger, HttpMessageHandler? handler = null, SentryTunnelLocalView? local = null)
    {
        _local = local;
        ArgumentNullException.ThrowIfNull(allowList);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxBodySize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.MaxBodySize, Array.MaxLength - 1);
        _allowList = allowList;
        _maxBodySize = (int)options.MaxBodySize;
        _bodyTimeout = options.RequestBodyTimeout;

        // By then every body being read now has arrived or been let go.
        _retryAfter = Math.Max(1, Math.Ceiling(_bodyTimeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        _budget = new SentryTunnelBudget(options.MaxBufferedBytes);
        _budgetKey = sectionPath + ":" + nameof(SentryTunnelOptions.MaxBufferedBytes);
        _logger = logger;
        _forwarder = new SentryTunnelForwarder(options.Timeout, logger, handler);
        _fullLoggedAt = Environment.TickCount64 - FullLogInterval;
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

        // Taken before a byte is read, so that a request that does not fit costs no memory at all.
        var share = request.ContentLength ?? _maxBodySize;
        if (!_budget.TryReserve(share))
        {
            await RefuseFullAsync(context).ConfigureAwait(false);
            return;
        }

        byte[]? buffer = null;
        try
        {
            int length;
            using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted))
            {
                deadline.CancelAfter(_bodyTimeout);
                try
                {
                    (buffer, length) = await SentryTunnelBodyReader.ReadAsync(request.Body, request.ContentLength, _maxBodySize, deadline.Token).ConfigureAwait(false);
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
                catch (OperationCanceledException)
                {
                    await RefuseLateAsync(context).ConfigureAwait(false);
                    return;
                }
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

            if (!EnvelopeDsnReader.TryReadDsn(buffer, length, coding, out var dsn, out var reason))
            {
                await RejectAsync(context, StatusCodes.Status400BadRequest, reason).ConfigureAwait(false);
                return;
            }

            if (_allowList.TryMatch(dsn, out var allowed, out reason))
            {
                if (_local is not null)
                {
                    await _local.ShowAsync(PathOf(context), buffer, length, coding, contentEncoding, context.RequestAborted).ConfigureAwait(false);
                }

                await _forwarder.ForwardAsync(context, allowed, buffer, length, contentEncoding).ConfigureAwait(false);
                return;
            }

            // Nothing is fetched for such an envelope: it is only shown, so its DSN need not be one we know.
            if (_local is { ReceivesLocally: true } && _allowList.Count == 0 && SentryDsn.TryParse(dsn, out _, out _))
            {
                await _local.ShowAsync(PathOf(context), buffer, length, coding, contentEncoding, context.RequestAborted).ConfigureAwait(false);
                SentryTunnelLog.ReceivedLocally(_logger, PathOf(context), _local.Describe());
                await SentryTunnelResponse.WriteReceivedAsync(context).ConfigureAwait(false);
                return;
            }

            await RejectAsync(context, StatusCodes.Status400BadRequest, reason).ConfigureAwait(false);
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            _budget.Release(share);
        }
    }

    public void Dispose()
    {
        _forwarder.Dispose();
        _local?.Dispose();
    }

    private static string PathOf(HttpContext context) => context.Request.Path.Value ?? "/";

    private async Task RejectAsync(HttpContext context, int statusCode, string reason)
    {
        SentryTunnelLog.Rejected(_logger, context.Request.Path.Value ?? "/", statusCode, reason);
        await SentryTunnelResponse.WriteAsync(context, statusCode, reason).ConfigureAwait(false);
    }

    /// <summary>408: the body did not arrive in time. What arrived is let go, and so is the connection.</summary>
    private Task RefuseLateAsync(HttpContext context)
    {
        SentryTunnelResponse.CloseConnection(context);
        var seconds = _bodyTimeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        return RejectAsync(context, StatusCodes.Status408RequestTimeout, $"the body did not arrive within {seconds} s");
    }

    /// <summary>503: the requests in progress hold all the bytes allowed. The body is not read.</summary>
    private Task RefuseFullAsync(HttpContext context)
    {
        Interlocked.Increment(ref _refusedSinceLog);
        var now = Environment.TickCount64;
        var last = Volatile.Read(ref _fullLoggedAt);
        if (now - last >= FullLogInterval && Interlocked.CompareExchange(ref _fullLoggedAt, now, last) == last)
        {
            SentryTunnelLog.Full(_logger, context.Request.Path.Value ?? "/", _budget.Held, _budget.Max, _budgetKey, Interlocked.Exchange(ref _refusedSinceLog, 0));
        }

        context.Response.Headers.RetryAfter = _retryAfter;
        SentryTunnelResponse.CloseConnection(context);
        return RejectAsync(context, StatusCodes.Status503ServiceUnavailable, "the tunnel is busy; try again later");
    }

    private string TooLarge() => $"the body is larger than {_maxBodySize.ToString(CultureInfo.InvariantCulture)} bytes";
}
