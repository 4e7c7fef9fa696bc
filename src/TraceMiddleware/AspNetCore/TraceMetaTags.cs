using System.Diagnostics;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http;
using TraceMiddleware.Tracing;

namespace TraceMiddleware.AspNetCore;

/// <summary>
/// The two meta tags from which Sentry's browser SDK (<c>browserTracingIntegration</c>) continues the
/// trace of the request that rendered the page. Razor views use <c>&lt;sentry-trace-meta /&gt;</c>.
/// </summary>
public static class TraceMetaTags
{
    /// <summary>
    /// Returns <c>&lt;meta name="sentry-trace" content="…"/&gt;&lt;meta name="baggage" content="…"/&gt;</c>
    /// for the request's current span, attribute-encoded, or an empty string when there is no trace.
    /// </summary>
    /// <param name="context">The request being served. Its span must be current (call during the request).</param>
    /// <returns>The HTML of the two tags, or <see cref="string.Empty"/>.</returns>
    public static string Render(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var root = TraceRoot.Find(Activity.Current);
        if (root is null)
        {
            return string.Empty;
        }

        var headers = TraceHeaderWriter.Create(root.Activity, root, root.Runtime, includeW3C: false);
        return Format(headers, HtmlEncoder.Default);
    }

    internal static string Format(TraceHeaders headers, HtmlEncoder encoder)
    {
        if (headers.SentryTrace is null)
        {
            return string.Empty;
        }

        // The values are hex or percent-encoded, but an incoming baggage value is attacker-controlled.
        var html = new StringBuilder(96 + (headers.Baggage?.Length ?? 0));
        html.Append("<meta name=\"sentry-trace\" content=\"").Append(encoder.Encode(headers.SentryTrace)).Append("\"/>");
        if (headers.Baggage is { Length: > 0 } baggage)
        {
            html.Append("<meta name=\"baggage\" content=\"").Append(encoder.Encode(baggage)).Append("\"/>");
        }

        return html.ToString();
    }
}
