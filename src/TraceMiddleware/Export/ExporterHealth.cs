using Microsoft.Extensions.Logging;
using TraceMiddleware.Tracing;

namespace TraceMiddleware.Export;

/// <summary>
/// Whether one exporter is failing, so that a failure and the recovery are each logged once, with the
/// count of what was dropped in between. Only the sender touches it, one batch at a time.
/// </summary>
internal sealed class ExporterHealth
{
    private long _droppedBatchesWhileFailing;
    private long _droppedTransactionsWhileFailing;

    public ExporterHealth(ITraceExporter exporter)
    {
        Exporter = exporter;
        Name = exporter.GetType().FullName ?? exporter.GetType().Name;
    }

    public ITraceExporter Exporter { get; }

    public string Name { get; }

    public bool Failing { get; private set; }

    /// <summary>Transactions this exporter failed to take (or was cancelled on) since it was created.</summary>
    public long DroppedTransactionCount { get; private set; }

    public void OnSucceeded(ILogger logger)
    {
        if (!Failing)
        {
            return;
        }

        Failing = false;
        TracingLog.ExporterRecovered(logger, Name, _droppedBatchesWhileFailing, _droppedTransactionsWhileFailing);
        _droppedBatchesWhileFailing = 0;
        _droppedTransactionsWhileFailing = 0;
    }

    public void OnFailed(ILogger logger, Exception exception, int batchCount)
    {
        DroppedTransactionCount += batchCount;
        _droppedBatchesWhileFailing++;
        _droppedTransactionsWhileFailing += batchCount;
        if (!Failing)
        {
            Failing = true;
            TracingLog.ExporterFailed(logger, Name, exception);
        }
    }

    /// <summary>The batch was cut off by the end of the shutdown flush: dropped, but the exporter is not failing.</summary>
    public void OnCancelled(int batchCount) => DroppedTransactionCount += batchCount;
}
