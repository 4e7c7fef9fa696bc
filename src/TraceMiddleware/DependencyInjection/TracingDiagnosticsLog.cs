using Microsoft.Extensions.Logging;

namespace TraceMiddleware.DependencyInjection;

/// <summary>
/// The diagnostic log events (ids 4101 and up, documented in the README's Troubleshooting section).
/// Category: <c>TraceMiddleware</c>.
/// </summary>
internal static partial class TracingDiagnosticsLog
{
    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Tracing started. Sampling: {Sampling}. Spans: {Exporters}. Trace headers go to: {Targets}. traceparent: {Traceparent}. Incoming trace headers: {Trust}. Server-Timing header: {ServerTiming}. Environment {Environment}, release {Release}.")]
    public static partial void Started(ILogger logger, string sampling, string exporters, string targets, string traceparent, string trust, string serverTiming, string environment, string release);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "Unknown tracing setting {Key} is ignored. {Suggestion}")]
    public static partial void UnknownSetting(ILogger logger, string key, string suggestion);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning, Message = "Trace propagation target {Index} (\"{Target}\") is a plain string: it matches anywhere in the URL, so a URL of any host whose path contains it gets the trace headers too. Anchor it at the scheme and host with a regular expression such as {Example}")]
    public static partial void TargetMatchesInsidePath(ILogger logger, int index, string target, string example);
}
