using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.Export;

/// <summary>
/// The bounded queue between request threads and the one background sender. Writers only ever
/// <c>TryWrite</c>: a full queue drops the newest transaction and counts it, and a request never waits.
/// A full queue and its recovery are logged once each, never per transaction, and under a load that keeps
/// filling and draining it, at most once per <see cref="StateChangeLogLimiter.Interval"/>.
/// </summary>
internal sealed class ExportQueue
{
    private readonly Channel<SentryTransaction> _channel;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    // Full and accepting again: the changes are rare (twice per spell), so they take a lock; the common paths
    // (accepted while not full, dropped while the log already says full) only read _full and _lateLogTicks.
    private readonly Lock _stateLock = new();
    private readonly StateChangeLogLimiter _stateLog;

    // Wakes the sender early from WaitForBatchAsync. No maximum count: a release that races a timed-out wait
    // only makes one later wait return at once, which is harmless, where a full semaphore would throw on a
    // request thread.
    private readonly SemaphoreSlim _gathered = new(0);
    private int _waitingForBatch;
    private int _batchThreshold = int.MaxValue;
    private long _offered;
    private long _dropped;
    private long _droppedWhileFull;
    private long _droppedAfterCompletion;
    private int _full;

    // While a fill is on that the log does not show yet: from when it may be logged; otherwise long.MaxValue.
    private long _lateLogTicks = long.MaxValue;
    private volatile bool _completed;

    /// <param name="capacity">The most transactions queued.</param>
    /// <param name="logger">Where a full queue and its recovery are logged.</param>
    /// <param name="time">The clock that spaces those logs; the system clock when null.</param>
    public ExportQueue(int capacity, ILogger logger, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentNullException.ThrowIfNull(logger);
        Capacity = capacity;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _stateLog = new StateChangeLogLimiter(_time);

        // Wait mode, not DropWrite: only then does TryWrite report a full queue, so the drop can be counted.
        _channel = Channel.CreateBounded<SentryTransaction>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
        });
    }

    public int Capacity { get; }

    /// <summary>Transactions waiting for the sender.</summary>
    public int Count => _channel.Reader.Count;

    /// <summary>Transactions offered to the queue, queued or dropped (since it was created).</summary>
    public long OfferedCount => Interlocked.Read(ref _offered);

    /// <summary>Transactions dropped because the queue was full (since it was created).</summary>
    public long DroppedCount => Interlocked.Read(ref _dropped);

    /// <summary>Transactions that finished after shutdown had closed the queue.</summary>
    public long DroppedAfterCompletionCount => Interlocked.Read(ref _droppedAfterCompletion);

    public ChannelReader<SentryTransaction> Reader => _channel.Reader;

    /// <summary>Queues <paramref name="transaction"/> without waiting.</summary>
    /// <returns><see langword="false"/> when it was dropped (queue full, or closed by shutdown).</returns>
    public bool TryEnqueue(SentryTransaction transaction)
    {
        Interlocked.Increment(ref _offered);
        if (_channel.Writer.TryWrite(transaction))
        {
            if (Volatile.Read(ref _waitingForBatch) != 0 && _channel.Reader.Count >= Volatile.Read(ref _batchThreshold))
            {
                WakeSender();
            }

            if (Volatile.Read(ref _full) != 0)
            {
                OnAcceptedAfterFull();
            }

            return true;
        }

        if (_completed)
        {
            Interlocked.Increment(ref _droppedAfterCompletion);
            return false;
        }

        Interlocked.Increment(ref _dropped);
        Interlocked.Increment(ref _droppedWhileFull);
        if (Volatile.Read(ref _full) == 0 || IsLateLogDue())
        {
            OnDroppedWhileFull();
        }

        return false;
    }

    /// <summary>Takes what is queued, at most <paramref name="maxCount"/> transactions, without waiting.</summary>
    public SentryTransaction[] TakeBatch(int maxCount)
    {
        var reader = _channel.Reader;
        var count = Math.Min(maxCount, reader.Count);
        if (count <= 0)
        {
            return [];
        }

        var batch = new SentryTransaction[count];
        var taken = 0;
        while (taken < count && reader.TryRead(out var transaction))
        {
            batch[taken++] = transaction;
        }

        return taken == count ? batch : batch[..taken];
    }

    /// <summary>
    /// Waits until <paramref name="batchSize"/> transactions are queued, the queue is completed, or
    /// <paramref name="delay"/> has passed: a sender that woke for every single transaction would cost a
    /// thread-pool hop per request, where waiting a moment lets one wake-up take a batch.
    /// </summary>
    public async Task WaitForBatchAsync(int batchSize, TimeSpan delay, CancellationToken cancellationToken)
    {
        if (Count >= batchSize || _completed)
        {
            return;
        }

        Volatile.Write(ref _batchThreshold, batchSize);
        Volatile.Write(ref _waitingForBatch, 1);
        try
        {
            // Checked again now that writers can see the wait, so that no wake-up falls between the two.
            if (Count >= batchSize || _completed)
            {
                return;
            }

            await _gathered.WaitAsync(delay, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _waitingForBatch, 0);
        }
    }

    /// <summary>Refuses every later transaction; the sender still drains what is queued.</summary>
    public void Complete()
    {
        _completed = true;
        _channel.Writer.TryComplete();
        WakeSender();
    }

    // The clock is read only while a fill waits to be logged, not on every drop.
    private bool IsLateLogDue()
    {
        var due = Interlocked.Read(ref _lateLogTicks);
        return due != long.MaxValue && _time.GetUtcNow().UtcTicks >= due;
    }

    private void OnDroppedWhileFull()
    {
        lock (_stateLock)
        {
            var log = Volatile.Read(ref _full) == 0 ? _stateLog.OnProblem() : _stateLog.ShouldLogLateProblem();
            Volatile.Write(ref _full, 1);
            if (log)
            {
                ExportLog.QueueFull(_logger, Capacity);
            }

            Interlocked.Exchange(ref _lateLogTicks, _stateLog.HasUnloggedProblem ? _stateLog.NextProblemTicks : long.MaxValue);
        }
    }

    private void OnAcceptedAfterFull()
    {
        lock (_stateLock)
        {
            if (Volatile.Read(ref _full) == 0)
            {
                return;
            }

            Volatile.Write(ref _full, 0);
            Interlocked.Exchange(ref _lateLogTicks, long.MaxValue);
            if (_stateLog.OnRecovered(out var spells))
            {
                ExportLog.QueueRecovered(_logger, Interlocked.Exchange(ref _droppedWhileFull, 0), spells);
            }
        }
    }

    private void WakeSender()
    {
        if (Interlocked.Exchange(ref _waitingForBatch, 0) != 0)
        {
            _gathered.Release();
        }
    }
}
