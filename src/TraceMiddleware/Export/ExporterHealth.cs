using Microsoft.Extensions.Logging;

namespace TraceMiddleware.Export;

/// <summary>
/// Whether one exporter is failing, so that a failure and the recovery are each logged once, with the
/// count of what was dropped in between; an exporter that keeps failing and succeeding is logged at most
/// once per <see cref="StateChangeLogLimiter.Interval"/>. Only the sender touches it, one batch at a time.
/// </summary>
internal sealed class ExporterHealth
{
    private readonly StateChangeLogLimiter _stateLog;
    private long _droppedBatchesWhileFailing;
    private long _droppedTransactionsWhileFailing;
    private Exception? _unloggedFailure;

    /// <param name="exporter">The exporter.</param>
    /// <param name="time">The clock that spaces the logs; the system clock when null.</param>
    public ExporterHealth(ITraceExporter exporter, TimeProvider? time = null)
    {
        Exporter = exporter;
        Name = exporter.GetType().FullName ?? exporter.GetType().Name;
        _stateLog = new StateChangeLogLimiter(time ?? TimeProvider.System);
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
        _unloggedFailure = null;
        if (_stateLog.OnRecovered(out var spells))
        {
            ExportLog.ExporterRecovered(logger, Name, _droppedBatchesWhileFailing, _droppedTransactionsWhileFailing, spells);
            _droppedBatchesWhileFailing = 0;
            _droppedTransactionsWhileFailing = 0;
        }
    }

    public void OnFailed(ILogger logger, Exception exception, int batchCount)
    {
        DroppedTransactionCount += batchCount;
        _droppedBatchesWhileFailing++;
        _droppedTransactionsWhileFailing += batchCount;
        if (!Failing)
        {
            Failing = true;
            _unloggedFailure = exception;
            if (_stateLog.OnProblem())
            {
                _unloggedFailure = null;
                ExportLog.ExporterFailed(logger, Name, exception);
            }
        }
        else if (_unloggedFailure is { } first && _stateLog.ShouldLogLateProblem())
        {
            // Still failing since a failure too soon after the last one logged: it is logged now, with its exception.
            _unloggedFailure = null;
            ExportLog.ExporterFailed(logger, Name, first);
        }
    }

    /// <summary>The batch was cut off by the end of the shutdown flush: dropped, but the exporter is not failing.</summary>
    public void OnCancelled(int batchCount) => DroppedTransactionCount += batchCount;
}
