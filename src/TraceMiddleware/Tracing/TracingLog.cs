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

    [LoggerMessage(EventId = 1006, Level = LogLevel.Warning, Message = "DistributedContextPropagator.Current was replaced after AddTracing() (by {Propagator}); tracing wrapped it again, so that HttpClient handlers built from now on send trace headers only to the propagation targets (yours still serves every other carrier). Handlers built in between, and HttpClient instances created then, send whatever it adds: set DistributedContextPropagator.Current before AddTracing() instead.")]
    public static partial void PropagatorReplaced(ILogger logger, string propagator);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Warning, Message = "HttpClient '{Client}' sends no trace header: its primary handler ({Handler}) is not one whose redirects tracing can follow hop by hop, and .NET asks tracing's propagator on none of its hops, so headers could travel on to hosts that are not targets. Use SocketsHttpHandler (the default) or HttpClientHandler as its primary handler.")]
    public static partial void ClientWithheld(ILogger logger, string client, string handler);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Warning, Message = "{Count} outgoing requests of {Transaction} went out through an HttpClient whose handler uses another header propagator than tracing's, so their trace headers are not held to the propagation targets (.NET's own propagator sends traceparent to every host). Most often the HttpClient was created before AddTracing() ran (a static field, say): create it later, or use IHttpClientFactory. Said once.")]
    public static partial void UnguardedClients(ILogger logger, int count, string transaction);

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
