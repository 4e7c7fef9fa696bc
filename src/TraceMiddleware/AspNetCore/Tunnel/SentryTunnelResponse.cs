using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using TraceMiddleware.Export.Sentry;

namespace TraceMiddleware.AspNetCore.Tunnel;

/// <summary>What the browser gets back: Sentry's answer, or the tunnel's own short text answer.</summary>
internal static class SentryTunnelResponse
{
    /// <summary>
    /// Gives the browser Sentry's status and body, with the headers its SDK acts on (<c>Retry-After</c> and
    /// <c>X-Sentry-Rate-Limits</c> make it back off as it would talking to Sentry) and those that describe
    /// the body. Nothing else of Sentry's answer (cookies, server headers) passes.
    /// </summary>
    public static async Task CopyAsync(HttpResponseMessage upstream, HttpContext context, CancellationToken cancellationToken)
    {
        var response = context.Response;
        response.StatusCode = (int)upstream.StatusCode;
        CopyHeader(upstream.Headers, response.Headers, HeaderNames.RetryAfter);
        CopyHeader(upstream.Headers, response.Headers, SentryProtocol.RateLimitsHeader);
        CopyHeader(upstream.Content.Headers, response.Headers, HeaderNames.ContentType);
        CopyHeader(upstream.Content.Headers, response.Headers, HeaderNames.ContentEncoding);
        try
        {
            await upstream.Content.CopyToAsync(response.Body, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or HttpRequestException)
        {
            // The status is already on its way; a cut-off body is all that is left to give.
            context.Abort();
        }
    }

    /// <summary>Answers with <paramref name="statusCode"/> and <paramref name="reason"/> as plain text.</summary>
    public static Task WriteAsync(HttpContext context, int statusCode, string reason)
    {
        var response = context.Response;
        response.StatusCode = statusCode;
        response.ContentType = "text/plain; charset=utf-8";
        return response.WriteAsync(reason, context.RequestAborted);
    }

    /// <summary>200 with an empty JSON object: an envelope received by the tunnel itself, as Sentry would accept it.</summary>
    public static Task WriteReceivedAsync(HttpContext context)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        return response.WriteAsync("{}", context.RequestAborted);
    }

    /// <summary>
    /// Ends an HTTP/1.x connection after this answer, for a request whose body is left unread: the server
    /// still takes in what the client sends on for a few seconds, so that the answer is not lost to a reset,
    /// then closes. (HTTP/2 and HTTP/3 end the stream instead and forbid the header.)
    /// </summary>
    public static void CloseConnection(HttpContext context)
    {
        var protocol = context.Request.Protocol;
        if (HttpProtocol.IsHttp11(protocol) || HttpProtocol.IsHttp10(protocol))
        {
            context.Response.Headers.Connection = "close";
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
}
