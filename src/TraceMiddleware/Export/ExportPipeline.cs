using Microsoft.Extensions.Logging;
using TraceMiddleware.Tracing;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.Export;

/// <summary>
/// One host's export: the <see cref="TransactionCollector"/> hooked into the runtime, the bounded
/// <see cref="ExportQueue"/>, and the one background loop that takes batches from it and hands each batch
/// to every exporter. With no exporter nothing is hooked, so spans are not even grouped.
/// </summary>
internal sealed class ExportPipeline : IDisposable
{
    /// <summary>How long the sender lets a part batch gather before it takes it.</summary>
    public static readonly TimeSpan BatchGatherDelay = TimeSpan.FromMilliseconds(100);

    private readonly TracingRuntime _runtime;
    private readonly ExporterHealth[] _exporters;
    private readonly ILogger _logger;
    private readonly int _batchSize;
    private readonly TimeSpan _shutdownTimeout;
    private readonly CancellationTokenSource _abort = new();
    private readonly Action<System.Diagnostics.Activity, TraceRoot> _hook;
    private readonly Lock _stopGate = new();
    private Task? _loop;
    private Task? _stopping;
    private int _disposed;

    public ExportPipeline(TracingRuntime runtime, IReadOnlyList<ITraceExporter> exporters)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(exporters);
        _runtime = runtime;
        _logger = runtime.Logger;
        var options = runtime.Options;
        _batchSize = options.ExportBatchSize;
        _shutdownTimeout = options.ShutdownTimeout;
        _exporters = new ExporterHealth[exporters.Count];
        for (var i = 0; i < exporters.Count; i++)
        {
            _exporters[i] = new ExporterHealth(exporters[i] ?? throw new ArgumentException("An exporter is null.", nameof(exporters)));
        }

        Queue = new ExportQueue(options.ExportQueueCapacity, _logger);
        BeforeSend = options.BeforeSendTransaction is { } hook ? new BeforeSendHook(hook, _logger) : null;
        Collector = new TransactionCollector(Queue, _logger);
        _hook = Collector.OnSpanStopped;
    }

    public ExportQueue Queue { get; }

    /// <summary>The app's <c>BeforeSendTransaction</c>, run before the exporters; <see langword="null"/> when none is set.</summary>
    public BeforeSendHook? BeforeSend { get; }

    public TransactionCollector Collector { get; }

    public IReadOnlyList<ExporterHealth> Exporters => _exporters;

    /// <summary>Hooks the collector into the runtime and starts the sender (when there is an exporter).</summary>
    public void Start()
    {
        if (_exporters.Length == 0 || _loop is not null)
        {
            return;
        }

        _runtime.SpanStopped = _hook;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>
    /// Closes the queue, lets the sender export what is queued and the exporters that held transactions back
    /// make their last try, for at most the shutdown timeout (or until <paramref name="cancellationToken"/>, the
    /// host's own limit), then cancels the exporters.
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        // A host that is run stops twice (the caller's StopAsync, then Run's own): flush and report once.
        lock (_stopGate)
        {
            return _stopping ??= _loop is { } loop ? FlushAsync(loop, cancellationToken) : Task.CompletedTask;
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Queue.Complete();
        _abort.Cancel();
        _abort.Dispose();
    }

    private async Task FlushAsync(Task loop, CancellationToken cancellationToken)
    {
        Queue.Complete();
        try
        {
            _abort.CancelAfter(_shutdownTimeout);
            using var link = cancellationToken.Register(static state => ((CancellationTokenSource)state!).Cancel(), _abort);
            await loop.WaitAsync(_abort.Token).ConfigureAwait(false);

            // The queue is drained; an exporter that held transactions back (leaving a receiver found down
            // alone) gets its last try now, within what is left of the timeout.
            await FlushExportersAsync(_abort.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            if (ReferenceEquals(_runtime.SpanStopped, _hook))
            {
                _runtime.SpanStopped = null;
            }
        }

        if (Queue.Count is > 0 and var remaining)
        {
            TracingLog.ShutdownFlushIncomplete(_logger, remaining, _shutdownTimeout);
        }
    }

    private async Task FlushExportersAsync(CancellationToken token)
    {
        for (var i = 0; i < _exporters.Length; i++)
        {
            if (_exporters[i].Exporter is IFlushableTraceExporter flushable)
            {
                try
                {
                    await flushable.FlushAsync(token).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    _exporters[i].OnFailed(_logger, exception, 0);
                }
            }
        }
    }

    private async Task RunAsync()
    {
        var token = _abort.Token;
        try
        {
            while (await Queue.Reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                var batch = Queue.TakeBatch(_batchSize);
                if (batch.Length > 0)
                {
                    await ExportAsync(batch, token).ConfigureAwait(false);
                }

                // The first transaction after a quiet spell goes at once; under traffic, the next batch gathers
                // for a moment instead of waking this loop for every request (shutdown ends the wait).
                if (batch.Length < _batchSize)
                {
                    await Queue.WaitForBatchAsync(_batchSize, BatchGatherDelay, token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception exception)
        {
            TracingLog.ExportLoopFailed(_logger, exception);
        }
    }

    private Task ExportAsync(SentryTransaction[] batch, CancellationToken token)
    {
        if (BeforeSend is { } hook && (batch = hook.Apply(batch)).Length == 0)
        {
            return Task.CompletedTask;
        }

        if (_exporters.Length == 1)
        {
            return ExportAsync(_exporters[0], batch, token);
        }

        // Side by side: a slow exporter delays the next batch, but not the others' copy of this one.
        var tasks = new Task[_exporters.Length];
        for (var i = 0; i < tasks.Length; i++)
        {
            tasks[i] = ExportAsync(_exporters[i], batch, token);
        }

        return Task.WhenAll(tasks);
    }

    private async Task ExportAsync(ExporterHealth health, SentryTransaction[] batch, CancellationToken token)
    {
        try
        {
            await health.Exporter.ExportAsync(batch, token).ConfigureAwait(false);
            health.OnSucceeded(_logger);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            health.OnCancelled(batch.Length);
        }
        catch (Exception exception)
        {
            health.OnFailed(_logger, exception, batch.Length);
        }
    }
}
