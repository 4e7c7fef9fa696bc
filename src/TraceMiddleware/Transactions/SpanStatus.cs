using System.Diagnostics;

namespace TraceMiddleware.Transactions;

/// <summary>Sentry's span statuses and the mapping from HTTP status codes (PROTOCOL.md §8).</summary>
internal static class SpanStatus
{
    /// <summary>The operation completed.</summary>
    public const string Ok = "ok";

    /// <summary>An unknown error, such as an unhandled exception.</summary>
    public const string InternalError = "internal_error";

    /// <summary>The operation was cancelled, typically by the caller.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>
    /// Maps an HTTP status code to Sentry's span status: 1xx–3xx <c>ok</c>, 401 <c>unauthenticated</c>,
    /// 403 <c>permission_denied</c>, 404 <c>not_found</c>, 409 <c>already_exists</c>, 413
    /// <c>failed_precondition</c>, 429 <c>resource_exhausted</c>, 499 <c>cancelled</c>, other 4xx
    /// <c>invalid_argument</c>, 501 <c>unimplemented</c>, 503 <c>unavailable</c>, 504
    /// <c>deadline_exceeded</c>, other 5xx <c>internal_error</c>.
    /// </summary>
    /// <param name="statusCode">The HTTP status code.</param>
    /// <returns>The span status.</returns>
    public static string FromHttpStatusCode(int statusCode) => statusCode switch
    {
        < 400 => Ok,
        401 => "unauthenticated",
        403 => "permission_denied",
        404 => "not_found",
        409 => "already_exists",
        413 => "failed_precondition",
        429 => "resource_exhausted",
        499 => Cancelled,
        < 500 => "invalid_argument",
        501 => "unimplemented",
        503 => "unavailable",
        504 => "deadline_exceeded",
        _ => InternalError,
    };

    /// <summary>
    /// The status a finished span is reported with: the one this package set, else <c>internal_error</c>
    /// for an activity marked <see cref="ActivityStatusCode.Error"/>, else <c>ok</c>.
    /// </summary>
    internal static string Of(Activity activity) =>
        activity.GetTagItem(SpanTags.Status) as string
        ?? (activity.Status == ActivityStatusCode.Error ? InternalError : Ok);

    /// <summary>Writes <paramref name="status"/> on the activity as the Sentry status and the matching <see cref="ActivityStatusCode"/>.</summary>
    internal static void Set(Activity activity, string status)
    {
        activity.SetTag(SpanTags.Status, status);
        activity.SetStatus(status == Ok ? ActivityStatusCode.Ok : ActivityStatusCode.Error, status == Ok ? null : status);
    }
}
