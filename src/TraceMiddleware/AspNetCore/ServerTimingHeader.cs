using System.Text;
using Microsoft.AspNetCore.Http;
using TraceMiddleware.Tracing;

namespace TraceMiddleware.AspNetCore;

/// <summary>
/// <c>Server-Timing: sentry-trace;desc="…", baggage;desc="…"</c>, the form of the trace that Sentry's
/// browser SDK reads on page load when the page has no <c>sentry-trace</c>/<c>baggage</c> meta tags.
/// </summary>
/// <remarks>
/// What @sentry/browser 10.78 does (<c>browserTracingIntegration</c>, <c>getServerTiming</c>): it takes
/// <c>performance.getEntriesByType("navigation")[0].serverTiming</c>, finds the entry whose <c>name</c> is
/// exactly <c>sentry-trace</c> (then <c>baggage</c>) and uses its <c>description</c> as the header value; a
/// meta tag wins over it. The browser fills <c>description</c> from the metric's <c>desc</c> parameter, a
/// token or an RFC 9110 quoted-string, so the values are written as quoted-strings (<c>\</c> and <c>"</c>
/// escaped) because baggage has <c>,</c> and <c>=</c>, which a token cannot hold. Browsers expose
/// <c>serverTiming</c> in secure contexts only: HTTPS, or http://localhost and http://127.0.0.1.
/// </remarks>
internal static class ServerTimingHeader
{
    public const string HeaderName = "Server-Timing";

    /// <summary>Adds the header to the response when it starts, for <paramref name="root"/>'s span.</summary>
    public static void Register(HttpContext context, TraceRoot root) =>
        context.Response.OnStarting(static state =>
        {
            var (context, root) = ((HttpContext, TraceRoot))state;
            var headers = TraceHeaderWriter.Create(root.Activity, root, root.Runtime, includeW3C: false);
            if (Format(headers) is { } value)
            {
                context.Response.Headers.Append(HeaderName, value);
            }

            return Task.CompletedTask;
        }, (context, root));

    /// <summary>
    /// The header value for <paramref name="headers"/>, or <see langword="null"/> when there is no trace. A
    /// value that a quoted-string cannot carry (a control or non-ASCII character; never the case after the
    /// baggage is percent-encoded) leaves its metric out rather than break the response.
    /// </summary>
    internal static string? Format(TraceHeaders headers)
    {
        if (headers.SentryTrace is null)
        {
            return null;
        }

        var text = new StringBuilder(48 + (headers.Baggage?.Length ?? 0));
        text.Append("sentry-trace;desc=");
        if (!TryAppendQuoted(text, headers.SentryTrace))
        {
            return null;
        }

        if (headers.Baggage is { Length: > 0 } baggage)
        {
            var mark = text.Length;
            text.Append(", baggage;desc=");
            if (!TryAppendQuoted(text, baggage))
            {
                text.Length = mark;
            }
        }

        return text.ToString();
    }

    private static bool TryAppendQuoted(StringBuilder text, string value)
    {
        text.Append('"');
        foreach (var c in value)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }

            if (c is '"' or '\\')
            {
                text.Append('\\');
            }

            text.Append(c);
        }

        text.Append('"');
        return true;
    }
}
