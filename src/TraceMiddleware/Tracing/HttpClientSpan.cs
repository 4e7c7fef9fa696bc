using System.Diagnostics;
using TraceMiddleware.Propagation;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.Tracing;

/// <summary>
/// Makes .NET's own outgoing-request activity (source <c>System.Net.Http</c>, one per request and redirect hop)
/// Sentry's <c>http.client</c> span: op and origin when it starts, the description <c>GET http://host/path</c>
/// (Sentry's convention; no query or userinfo) as soon as the request is known, the Sentry status when it ends.
/// .NET itself writes the OpenTelemetry attributes (<c>http.request.method</c>, <c>url.full</c>,
/// <c>server.address</c>, <c>http.response.status_code</c>, <c>error.type</c>).
/// </summary>
internal static class HttpClientSpan
{
    private const string ErrorType = "error.type";
    private const string UrlFull = "url.full";

    public static void OnStarted(Activity activity)
    {
        activity.SetTag(SpanTags.Op, SpanOps.HttpClient);
        activity.SetTag(SpanTags.Origin, SpanOps.OriginHttpClient);
    }

    /// <summary>Names the span after the request it carries; called when the request's headers are decided.</summary>
    public static void Name(Activity activity, HttpRequestMessage request)
    {
        if (activity.IsAllDataRequested && request.RequestUri is { IsAbsoluteUri: true } uri)
        {
            activity.DisplayName = request.Method.Method + " " + TargetUrl.ToText(uri);
        }
    }

    public static void OnStopped(Activity activity)
    {
        if (!activity.DisplayName.Contains(' ', StringComparison.Ordinal) && activity.GetTagItem(UrlFull) is string url)
        {
            // The request went out without our propagator (a handler built with another one): name it from .NET's
            // own URL, without its query.
            var end = url.AsSpan().IndexOfAny('?', '#');
            activity.DisplayName = activity.DisplayName + " " + (end < 0 ? url : url[..end]);
        }

        if (activity.GetTagItem(SpanTags.Status) is not null)
        {
            return;
        }

        string status;
        if (activity.GetTagItem(SpanTags.HttpResponseStatusCode) is int code)
        {
            status = SpanStatus.FromHttpStatusCode(code);
        }
        else if (activity.GetTagItem(ErrorType) is string error)
        {
            // No response: .NET names the failure (a connection error, a timeout, a cancellation).
            status = error.Contains("cancel", StringComparison.OrdinalIgnoreCase) ? SpanStatus.Cancelled : SpanStatus.InternalError;
        }
        else
        {
            status = activity.Status == ActivityStatusCode.Error ? SpanStatus.InternalError : SpanStatus.Ok;
        }

        activity.SetTag(SpanTags.Status, status);
    }
}
