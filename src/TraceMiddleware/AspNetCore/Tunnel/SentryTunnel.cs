using System.Buffers;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using TraceMiddleware.Export.Sentry;

using TraceMiddleware.Http;

namespace TraceMiddleware.AspNetCore.Tunnel;

/// <summary>
/// The endpoint behind <c>MapSentryTunnel</c>: receives an envelope from Sentry's browser SDK (its
/// <c>tunnel</c> option), checks the DSN in the envelope header against the allowed ones and posts the
/// body, byte for byte, to that DSN's envelope endpoint; the browser gets Sentry's answer.
/// </summary>
/// <remarks>
/// Nothing is ever fetched for an envelope whose DSN is not allowed: the URL posted to is always the
/// allowed DSN's endpoint, and redirects are not followed. The upstream client carries no trace header
/// and makes no span: telemetry about telemetry would only add noise.
/// </remarks>
internal sealed class SentryTunnel : IDisposable
{
    public const string ForwardedForHeader = "X-Forwarded-For";

    /// <summary>The first buffer for a body sent without Content-Length (chunked); it doubles up to the limit.</summary>
    public const int InitialBufferSize = 16 * 1024;

    private readonly SentryTunnelAllowList _allowList;
    private readonly int _maxBodySize;
    private readonly TimeSpan _timeout;
    private readonly HttpMessageInvoker _upstream;
    private readonly ILogger _logger;
    private int _failing;

    public SentryTunnel(SentryTunnelAllowList allowList, long maxBodySize, TimeSpan timeout, ILogger logger, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(allowList);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBodySize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxBodySize, Array.MaxLength - 1);
        _allowList = allowList;
        _maxBodySize = (int)maxBodySize;
        _timeout = timeout;
        _logger = logger;
        _upstream = new HttpMessageInvoker(handler ?? UntracedHttpHandler.Create(), disposeHandler: true);
    }

    private enum Coding
    {
        Identity,
        Gzip,
        Deflate,
        Brotli,
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
        if (!TryGetCoding(contentEncoding, out var coding))
        {
            context.Response.Headers.AcceptEncoding = "gzip, deflate, br";
            await RejectAsync(context, StatusCodes.Status415UnsupportedMediaType, $"the Content-Encoding '{contentEncoding}' is not supported; send the envelope plain or as gzip, deflate or br").ConfigureAwait(false);
            return;
        }

        byte[]? buffer = null;
        try
        {
            int length;
            try
            {
                (buffer, length) = await ReadBodyAsync(request.Body, request.ContentLength, context.RequestAborted).ConfigureAwait(false);
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

            if (!TryReadDsn(buffer, length, coding, out var dsn, out var reason)
                || !_allowList.TryMatch(dsn, out var allowed, out reason))
            {
                await RejectAsync(context, StatusCodes.Status400BadRequest, reason).ConfigureAwait(false);
                return;
            }

            await ForwardAsync(context, allowed, buffer, length, contentEncoding).ConfigureAwait(false);
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    public void Dispose() => _upstream.Dispose();

    /// <summary>
    /// Reads the envelope header line out of the body, decompressing only as much as that takes, and the
    /// DSN it names.
    /// </summary>
    internal static bool TryReadDsn(byte[] body, string? contentEncoding, [NotNullWhen(true)] out string? dsn, [NotNullWhen(false)] out string? reason)
    {
        if (!TryGetCoding(new StringValues(contentEncoding), out var coding))
        {
            dsn = null;
            reason = "unsupported Content-Encoding";
            return false;
        }

        return TryReadDsn(body, body.Length, coding, out dsn, out reason);
    }

    internal static string ForwardedFor(StringValues existing, IPAddress? client)
    {
        var ip = client is { IsIPv4MappedToIPv6: true } ? client.MapToIPv4() : client;
        var previous = existing.Count == 0 ? null : string.Join(", ", existing.ToArray());

        // A value that could not be sent on would fail the whole upstream request.
        if (previous is not null && !IsPrintableAscii(previous))
        {
            previous = null;
        }

        return (previous, ip) switch
        {
            ({ Length: > 0 }, not null) => previous + ", " + ip,
            ({ Length: > 0 }, null) => previous,
            _ => ip?.ToString() ?? string.Empty,
        };
    }

    private static bool TryReadDsn(byte[] body, int length, Coding coding, [NotNullWhen(true)] out string? dsn, [NotNullWhen(false)] out string? reason)
    {
        dsn = null;
        if (coding == Coding.Identity)
        {
            var window = body.AsSpan(0, Math.Min(length, SentryEnvelopeHeader.MaxLength + 1));
            if (!SentryEnvelopeHeader.TryFindLine(window, complete: window.Length == length, out var lineLength))
            {
                reason = $"the envelope header is longer than {SentryEnvelopeHeader.MaxLength} bytes";
                return false;
            }

            return SentryEnvelopeHeader.TryReadDsn(window[..lineLength], out dsn, out reason);
        }

        var decoded = ArrayPool<byte>.Shared.Rent(SentryEnvelopeHeader.MaxLength + 1);
        try
        {
            if (!TryDecodeStart(body, length, coding, decoded.AsSpan(0, SentryEnvelopeHeader.MaxLength + 1), out var decodedLength, out var complete))
            {
                reason = $"the body is not valid {Name(coding)}";
                return false;
            }

            var window = decoded.AsSpan(0, decodedLength);
            if (!SentryEnvelopeHeader.TryFindLine(window, complete, out var lineLength))
            {
                reason = $"the envelope header is longer than {SentryEnvelopeHeader.MaxLength} bytes";
                return false;
            }

            return SentryEnvelopeHeader.TryReadDsn(window[..lineLength], out dsn, out reason);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(decoded);
        }
    }

    /// <summary>Decompresses until the first newline, the end of the data, or a full <paramref name="destination"/>.</summary>
    private static bool TryDecodeStart(byte[] body, int length, Coding coding, Span<byte> destination, out int written, out bool complete)
    {
        written = 0;
        complete = false;
        using var compressed = new MemoryStream(body, 0, length, writable: false);
        using Stream decoder = coding switch
        {
            Coding.Gzip => new GZipStream(compressed, CompressionMode.Decompress),
            Coding.Deflate => new ZLibStream(compressed, CompressionMode.Decompress),
            _ => new BrotliStream(compressed, CompressionMode.Decompress),
        };
        try
        {
            while (written < destination.Length)
            {
                var read = decoder.Read(destination[written..]);
                if (read == 0)
                {
                    complete = true;
                    return true;
                }

                var newline = destination.Slice(written, read).IndexOf((byte)'\n');
                written += read;
                if (newline >= 0)
                {
                    return true;
                }
            }

            return true;
        }
        catch (Exception e) when (e is InvalidDataException or InvalidOperationException or IOException)
        {
            // Bad data surfaces as InvalidDataException (gzip, zlib), InvalidOperationException (Brotli) or
            // an IOException (zlib's own error codes); the source is in memory, so nothing else can fail.
            return false;
        }
    }

    private static bool TryGetCoding(StringValues header, out Coding coding)
    {
        coding = Coding.Identity;
        if (header.Count == 0)
        {
            return true;
        }

        if (header.Count > 1)
        {
            return false;
        }

        var value = header.ToString().AsSpan().Trim();
        if (value.IsEmpty || value.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (value.Equals("gzip", StringComparison.OrdinalIgnoreCase) || value.Equals("x-gzip", StringComparison.OrdinalIgnoreCase))
        {
            coding = Coding.Gzip;
            return true;
        }

        if (value.Equals("deflate", StringComparison.OrdinalIgnoreCase))
        {
            coding = Coding.Deflate;
            return true;
        }

        if (value.Equals("br", StringComparison.OrdinalIgnoreCase))
        {
            coding = Coding.Brotli;
            return true;
        }

        return false;
    }

    private static string Name(Coding coding) => coding switch
    {
        Coding.Gzip => "gzip",
        Coding.Deflate => "deflate",
        Coding.Brotli => "br",
        _ => "identity",
    };

    private static bool IsPrintableAscii(string value)
    {
        foreach (var c in value)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Reads the body into a pooled buffer, stopping one byte past the limit (the caller answers 413 then).
    /// </summary>
    private async Task<(byte[] Buffer, int Length)> ReadBodyAsync(Stream body, long? contentLength, CancellationToken cancellationToken)
    {
        var limit = _maxBodySize + 1;
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(limit, contentLength is long n ? n + 1 : InitialBufferSize));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(limit, buffer.Length * 2L));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await body.ReadAsync(buffer.AsMemory(length, Math.Min(buffer.Length, limit) - length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return (buffer, length);
                }

                length += read;
                if (length > _maxBodySize)
                {
                    return (buffer, length);
                }
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    private async Task ForwardAsync(HttpContext context, SentryDsn allowed, byte[] buffer, int length, StringValues contentEncoding)
    {
        var request = context.Request;
        var endpoint = allowed.EnvelopeEndpoint;
        using var message = new HttpRequestMessage(HttpMethod.Post, endpoint);
        var content = new ByteArrayContent(buffer, 0, length);

        // The browser SDK posts text/plain (no CORS preflight); the body was checked to be an envelope, so it
        // is labelled as one: Sentry accepts either, but receivers such as Spotlight keep only this type.
        content.Headers.TryAddWithoutValidation("Content-Type", SentryProtocol.EnvelopeContentType);

        if (contentEncoding.Count > 0)
        {
            content.Headers.TryAddWithoutValidation("Content-Encoding", contentEncoding.ToString());
        }

        message.Content = content;
        var forwardedFor = ForwardedFor(request.Headers[ForwardedForHeader], context.Connection.RemoteIpAddress);
        if (forwardedFor.Length > 0)
        {
            message.Headers.TryAddWithoutValidation(ForwardedForHeader, forwardedFor);
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
            await UpstreamFailedAsync(context, endpoint, StatusCodes.Status504GatewayTimeout, $"Sentry did not answer within {seconds} s").ConfigureAwait(false);
            return;
        }
        catch (HttpRequestException e)
        {
            await UpstreamFailedAsync(context, endpoint, StatusCodes.Status502BadGateway, $"Sentry cannot be reached ({e.HttpRequestError})").ConfigureAwait(false);
            return;
        }

        using (upstream)
        {
            if (Interlocked.Exchange(ref _failing, 0) == 1)
            {
                SentryTunnelLog.UpstreamRecovered(_logger, endpoint);
            }

            SentryTunnelLog.Forwarded(_logger, request.Path.Value ?? "/", allowed.ProjectId, endpoint, (int)upstream.StatusCode);
            var response = context.Response;
            response.StatusCode = (int)upstream.StatusCode;
            CopyHeader(upstream.Headers, response.Headers, SentryProtocol.RetryAfterHeader);
            CopyHeader(upstream.Headers, response.Headers, SentryProtocol.RateLimitsHeader);
            CopyHeader(upstream.Content.Headers, response.Headers, "Content-Type");
            CopyHeader(upstream.Content.Headers, response.Headers, "Content-Encoding");
            try
            {
                await upstream.Content.CopyToAsync(response.Body, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or HttpRequestException)
            {
                // The status is already on its way; a cut-off body is all that is left to give.
                context.Abort();
            }
        }
    }

    private static void CopyHeader(System.Net.Http.Headers.HttpHeaders from, IHeaderDictionary to, string name)
    {
        if (from.NonValidated.TryGetValues(name, out var values))
        {
            var copy = new string?[values.Count];
            var i = 0;
            foreach (var value in values)
            {
                copy[i++] = value;
            }

            to[name] = new StringValues(copy);
        }
    }

    private async Task UpstreamFailedAsync(HttpContext context, Uri endpoint, int statusCode, string reason)
    {
        if (Interlocked.Exchange(ref _failing, 1) == 0)
        {
            SentryTunnelLog.UpstreamFailing(_logger, endpoint, reason, statusCode);
        }
        else
        {
            SentryTunnelLog.UpstreamFailed(_logger, context.Request.Path.Value ?? "/", endpoint, statusCode, reason);
        }

        await WriteAsync(context, statusCode, reason).ConfigureAwait(false);
    }

    private async Task RejectAsync(HttpContext context, int statusCode, string reason)
    {
        SentryTunnelLog.Rejected(_logger, context.Request.Path.Value ?? "/", statusCode, reason);
        await WriteAsync(context, statusCode, reason).ConfigureAwait(false);
    }

    private static Task WriteAsync(HttpContext context, int statusCode, string reason)
    {
        var response = context.Response;
        response.StatusCode = statusCode;
        response.ContentType = "text/plain; charset=utf-8";
        return response.WriteAsync(reason, context.RequestAborted);
    }

    private string TooLarge() => $"the body is larger than {_maxBodySize.ToString(CultureInfo.InvariantCulture)} bytes";
}
