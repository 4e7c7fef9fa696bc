using Microsoft.Extensions.Logging;
using TraceMiddleware.Propagation;

namespace TraceMiddleware.Tracing;

/// <summary>
/// Every log event of the package, with stable event ids (documented in the README's
/// Troubleshooting section). Category: <c>TraceMiddleware</c>; the development trace tree (2010):
/// <c>TraceMiddleware.Console</c>.
/// </summary>
internal static partial class TracingLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "Incoming {Method} {Path}: {Outcome}; {Sampling}; trace {TraceId}.")]
    public static partial void IncomingRequest(ILogger logger, string method, string path, string outcome, string sampling, string traceId);

    /// <summary>Event 1001 for a request root whose decision was just made, when debug logs are on.</summary>
    public static void Decided(TraceRoot root)
    {
        var logger = root.Runtime.Logger;
        if (root.HttpContext?.Request is not { } request || !logger.IsEnabled(LogLevel.Debug))
        {
            return;
        }

        IncomingRequest(
            logger,
            request.Method,
            RequestPath.Of(request),
            DecisionDescription.Describe(root.Outcome),
            DecisionDescription.DescribeDecision(root, request.Method),
            root.Activity.TraceId.ToHexString());
    }

    [LoggerMessage(EventId = 1002, Level = LogLevel.Debug, Message = "Outgoing {Method} {Url}: trace headers sent ({Headers}); target {Target} matched.")]
    public static partial void OutgoingPropagated(ILogger logger, string method, string url, string headers, string target);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Debug, Message = "Outgoing {Method} {Url}: no trace header sent (sentry-trace, baggage, traceparent, tracestate withheld); no propagation target matches. Targets: {Targets}.")]
    public static partial void OutgoingWithheld(ILogger logger, string method, string url, string targets);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Debug, Message = "Redirect to {Url}: trace headers removed; no propagation target matches.")]
    public static partial void RedirectWithheld(ILogger logger, string url);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "The TracesSampler threw; the span is not sampled.")]
    public static partial void SamplerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information, Message = "Span {Span} finished after its transaction {Transaction}; it is dropped. Later such spans are counted, not logged: finish child spans before their transaction.")]
    public static partial void LateSpanDropped(ILogger logger, string span, string transaction);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "Shutdown: {Remaining} queued transactions were not exported within the ShutdownTimeout of {Timeout}.")]
    public static partial void ShutdownFlushIncomplete(ILogger logger, int remaining, TimeSpan timeout);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Error, Message = "The transaction of root span {Span} could not be built; it is dropped.")]
    public static partial void TransactionFailed(ILogger logger, string span, Exception exception);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Error, Message = "The export loop stopped unexpectedly; transactions are no longer exported.")]
    public static partial void ExportLoopFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Information, Message = "Trace {TraceId}\n{Tree}")]
    public static partial void ConsoleTree(ILogger logger, string traceId, string tree);
}
