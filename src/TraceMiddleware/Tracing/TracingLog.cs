using Microsoft.Extensions.Logging;
using TraceMiddleware.Propagation;

namespace TraceMiddleware.Tracing;

/// <summary>
/// Every log event of the package, with stable event ids (documented in the README's
/// Troubleshooting section). Category: <c>TraceMiddleware</c>.
/// </summary>
internal static partial class TracingLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "Incoming {Method} {Path}: {Outcome}; {Sampling}; trace {TraceId}.")]
    public static partial void IncomingRequest(ILogger logger, string method, string path, string outcome, string sampling, string traceId);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Debug, Message = "Outgoing {Method} {Url}: trace headers sent ({Headers}); target {Target} matched.")]
    public static partial void OutgoingPropagated(ILogger logger, string method, string url, string headers, string target);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Debug, Message = "Outgoing {Method} {Url}: no trace header sent (sentry-trace, baggage, traceparent, tracestate withheld); no propagation target matches. Targets: {Targets}.")]
    public static partial void OutgoingWithheld(ILogger logger, string method, string url, string targets);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Debug, Message = "Redirect to {Url}: trace headers removed; no propagation target matches.")]
    public static partial void RedirectWithheld(ILogger logger, string url);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "The TracesSampler threw; the span is not sampled.")]
    public static partial void SamplerFailed(ILogger logger, Exception exception);
}
