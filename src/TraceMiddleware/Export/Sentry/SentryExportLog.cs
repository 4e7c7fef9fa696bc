using Microsoft.Extensions.Logging;

namespace TraceMiddleware.Export.Sentry;

/// <summary>
/// The log events of the Sentry exporter, ids 3001 and up (stable: documented for alerting). The receiver's
/// changes of state (3001–3004) are written at most one problem and its recovery per
/// <see cref="StateChangeLogLimiter.Interval"/>.
/// </summary>
internal static partial class SentryExportLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "The Sentry receiver {Endpoint} is unreachable ({Reason}); it is left alone for a while, then probed again, and transactions that finish meanwhile wait for the probe (they are dropped if it fails).")]
    public static partial void Unreachable(ILogger logger, Uri endpoint, string reason);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "The Sentry receiver {Endpoint} rate-limits transactions until {Until:O}; they are dropped without being sent until then.")]
    public static partial void RateLimited(ILogger logger, Uri endpoint, DateTimeOffset until);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "The Sentry receiver {Endpoint} accepts transactions again; {Dropped} transactions were dropped meanwhile (problems since the last report: {Problems}).")]
    public static partial void Recovered(ILogger logger, Uri endpoint, long dropped, int problems);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "The Sentry receiver {Endpoint} rejects transactions with HTTP {StatusCode}; they are dropped. Check the DSN and its public key.")]
    public static partial void Rejected(ILogger logger, Uri endpoint, int statusCode);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "The Sentry receiver {Endpoint} refused a transaction envelope of {Bytes} bytes as too large (HTTP 413); it was dropped, not retried. Later ones are logged at Debug level.")]
    public static partial void TooLarge(ILogger logger, Uri endpoint, int bytes);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Debug, Message = "The Sentry receiver {Endpoint} refused a transaction envelope of {Bytes} bytes as too large (HTTP 413); it was dropped.")]
    public static partial void TooLargeAgain(ILogger logger, Uri endpoint, int bytes);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Error, Message = "The transaction {Name} could not be written as a Sentry envelope; it was dropped.")]
    public static partial void WriteFailed(ILogger logger, string name, Exception exception);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Warning, Message = "Sentry export was cancelled; {Dropped} transactions of the batch were dropped.")]
    public static partial void Cancelled(ILogger logger, long dropped);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Warning, Message = "The Sentry exporter for {Endpoint} stops in state {State}; {Dropped} transactions were dropped since the last report.")]
    public static partial void StoppedWithDrops(ILogger logger, Uri endpoint, SentryTransportState state, long dropped);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Warning, Message = "Shutdown: {Count} transactions that waited for the Sentry receiver {Endpoint} could not be sent in the last try (receiver {State}).")]
    public static partial void NotSentAtShutdown(ILogger logger, Uri endpoint, SentryTransportState state, long count);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Debug, Message = "Sending to the Sentry receiver {Endpoint} failed (attempt {Attempt} of {MaxAttempts}: {Reason}); retrying in {Delay}.")]
    public static partial void Retrying(ILogger logger, Uri endpoint, int attempt, int maxAttempts, string reason, TimeSpan delay);
}
