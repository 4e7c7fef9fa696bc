using Microsoft.Extensions.Logging;

namespace TraceMiddleware.AspNetCore.Tunnel;

/// <summary>
/// The Sentry tunnel's log events (ids 4001 and up, documented in the README's Troubleshooting section).
/// Category: <c>TraceMiddleware</c>. Nothing is logged above debug level per forwarded envelope.
/// </summary>
internal static partial class SentryTunnelLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Debug, Message = "Sentry tunnel {Path}: refused with {StatusCode}: {Reason}.")]
    public static partial void Rejected(ILogger logger, string path, int statusCode, string reason);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Debug, Message = "Sentry tunnel {Path}: envelope for project {ProjectId} forwarded to {Endpoint}; Sentry answered {StatusCode}.")]
    public static partial void Forwarded(ILogger logger, string path, string projectId, Uri endpoint, int statusCode);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "Sentry tunnel: {Endpoint} cannot be reached ({Reason}); browsers get {StatusCode} until it answers again. Each further failure is logged at debug level (event 4004).")]
    public static partial void UpstreamFailing(ILogger logger, Uri endpoint, string reason, int statusCode);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Debug, Message = "Sentry tunnel {Path}: forwarding to {Endpoint} failed with {StatusCode}: {Reason}.")]
    public static partial void UpstreamFailed(ILogger logger, string path, Uri endpoint, int statusCode, string reason);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Information, Message = "Sentry tunnel: {Endpoint} answers again.")]
    public static partial void UpstreamRecovered(ILogger logger, Uri endpoint);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Warning, Message = "Sentry tunnel {Pattern} forwards to no DSN: every envelope is refused with 400. Set {Section}:Dsn or {Section}:Tunnel:AllowedDsns.")]
    public static partial void NothingAllowed(ILogger logger, string pattern, string section);

    [LoggerMessage(EventId = 4008, Level = LogLevel.Information, Message = "Sentry tunnel {Pattern} forwards to no DSN: in Development it receives the browser's envelopes itself, for {Views}, and answers 200.")]
    public static partial void ReceivesLocally(ILogger logger, string pattern, string views);

    [LoggerMessage(EventId = 4009, Level = LogLevel.Debug, Message = "Sentry tunnel {Path}: envelope received here (no DSN to forward to) for {Views}.")]
    public static partial void ReceivedLocally(ILogger logger, string path, string views);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Debug, Message = "Sentry tunnel {Path}: the copy to Spotlight {Endpoint} failed ({Reason}).")]
    public static partial void SpotlightCopyFailed(ILogger logger, string path, Uri endpoint, string reason);

    [LoggerMessage(EventId = 4007, Level = LogLevel.Warning, Message = "Sentry tunnel {Path}: requests in progress hold {Held} of the {Max} body bytes allowed ({Key}); {Refused} request(s) refused with 503 since the last such warning. Further refusals within a minute are logged at debug level (event 4001).")]
    public static partial void Full(ILogger logger, string path, long held, long max, string key, long refused);
}
