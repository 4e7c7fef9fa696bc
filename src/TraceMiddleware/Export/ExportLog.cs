using Microsoft.Extensions.Logging;

namespace TraceMiddleware.Export;

/// <summary>
/// The state-change log events of the export queue and the exporters (stable ids, documented for alerting).
/// Each pair is written at most once per <see cref="StateChangeLogLimiter.Interval"/>; the recovery line counts
/// the spells since the last one.
/// </summary>
internal static partial class ExportLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "The export queue is full ({Capacity} transactions): new transactions are dropped and counted until the exporters catch up. If this persists, raise ExportQueueCapacity or lower the sample rate.")]
    public static partial void QueueFull(ILogger logger, int capacity);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "The export queue accepts transactions again; {Dropped} transactions were dropped while it was full (times full since the last report: {Spells}).")]
    public static partial void QueueRecovered(ILogger logger, long dropped, int spells);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Exporter {Exporter} failed; its batches are dropped until it succeeds again.")]
    public static partial void ExporterFailed(ILogger logger, string exporter, Exception exception);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "Exporter {Exporter} succeeded again; {Batches} batches ({Transactions} transactions) were dropped while it was failing (times failing since the last report: {Spells}).")]
    public static partial void ExporterRecovered(ILogger logger, string exporter, long batches, long transactions, int spells);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Warning, Message = "BeforeSendTransaction threw on transaction {Transaction}; that transaction is dropped. Later failures drop their transactions too and are not logged.")]
    public static partial void BeforeSendFailed(ILogger logger, string transaction, Exception exception);
}
