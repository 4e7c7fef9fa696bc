using Microsoft.Extensions.Logging;

namespace TraceMiddleware.Export.Sentry;

/// <summary>
/// What the exporter has learned about its receiver, shared by every lane: healthy, rate-limited until a
/// time, unreachable with a wait before the next probe, or rejecting; and the counts of what was delivered
/// and dropped. Each change of state is logged once, in the order the changes happened, and a receiver that
/// keeps failing and recovering at most once per <see cref="StateChangeLogLimiter.Interval"/>.
/// </summary>
internal sealed class SentryReceiverState
{
    private readonly Uri _endpoint;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    // State changes take the lock and log inside it, so that concurrent lanes log each change once and in the
    // order the changes happened.
    private readonly Lock _lock = new();
    private readonly StateChangeLogLimiter _stateLog;

    private volatile SentryTransportState _state = SentryTransportState.Healthy;
    private int _version;
    private long _rateLimitedUntilTicks;

    // While Unreachable: nothing is sent before this time, then one envelope probes; each failed probe doubles the wait.
    private long _probeAtTicks;
    private int _failedProbes;
    private long _droppedSinceReport;
    private long _delivered;
    private long _dropped;

    // What the last problem's log line says, for one written late (see ReportLateChange).
    private string _unreachableReason = string.Empty;
    private int _rejectedStatus;

    public SentryReceiverState(Uri endpoint, ILogger logger, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(time);
        _endpoint = endpoint;
        _logger = logger;
        _time = time;
        _stateLog = new StateChangeLogLimiter(time);
    }

    /// <summary>What the exporter last learned about the receiver.</summary>
    public SentryTransportState Current => _state;

    /// <summary>
    /// Counts the changes of state: an answer to a request sent at an older version is old news and may not
    /// undo what a newer answer taught.
    /// </summary>
    public int Version => Volatile.Read(ref _version);

    /// <summary>Until when transactions are dropped without sending.</summary>
    public DateTimeOffset RateLimitedUntil => new(Interlocked.Read(ref _rateLimitedUntilTicks), TimeSpan.Zero);

    /// <summary>When the next probe of an unreachable receiver may go.</summary>
    public DateTimeOffset ProbeAt => new(Interlocked.Read(ref _probeAtTicks), TimeSpan.Zero);

    /// <summary>Transactions the receiver accepted.</summary>
    public long DeliveredCount => Interlocked.Read(ref _delivered);

    /// <summary>Transactions dropped for any reason.</summary>
    public long DroppedCount => Interlocked.Read(ref _dropped);

    /// <summary>Whether a batch may fan out: the receiver has accepted an envelope and nothing went wrong since.</summary>
    public bool IsAccepting => _state == SentryTransportState.Healthy && Interlocked.Read(ref _delivered) > 0;

    /// <summary>Whether a rate limit forbids sending now.</summary>
    public bool IsRateLimited => _time.GetUtcNow().UtcTicks < Interlocked.Read(ref _rateLimitedUntilTicks);

    /// <summary>The receiver was found down and the wait before the next probe has not passed: a send would only find it down again.</summary>
    public bool IsWaitingToProbe => _state == SentryTransportState.Unreachable && _time.GetUtcNow().UtcTicks < Interlocked.Read(ref _probeAtTicks);

    /// <summary>The receiver accepted an envelope sent at <paramref name="version"/>, possibly with a rate limit for the next ones.</summary>
    public void OnAccepted(DateTimeOffset? rateLimitedUntil, int version)
    {
        Interlocked.Increment(ref _delivered);
        if (rateLimitedUntil is not null)
        {
            EnterRateLimited(rateLimitedUntil);
        }
        else if (_state != SentryTransportState.Healthy)
        {
            Recover(version);
        }
    }

    /// <summary>The receiver asked for no transactions until <paramref name="until"/> (null: a 429 whose limit is already known).</summary>
    public void EnterRateLimited(DateTimeOffset? until)
    {
        lock (_lock)
        {
            if (until is { } value)
            {
                Interlocked.Exchange(ref _rateLimitedUntilTicks, value.UtcTicks);
            }

            if (Enter(SentryTransportState.RateLimited) && _stateLog.OnProblem())
            {
                LogProblem();
            }
        }
    }

    /// <summary>Every attempt of a send failed: the receiver is down, and is left alone for a probe wait.</summary>
    public void EnterUnreachable(string reason)
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow().UtcTicks;
            _unreachableReason = reason;
            var entered = Enter(SentryTransportState.Unreachable);

            // Lanes in flight when the receiver went down fail together: only the first failure, and a probe
            // sent once the wait had passed, lengthen the wait.
            if (entered || now >= Interlocked.Read(ref _probeAtTicks))
            {
                _failedProbes = entered ? 1 : _failedProbes + 1;
                Interlocked.Exchange(ref _probeAtTicks, now + SentryRetryPolicy.ProbeWait(_failedProbes, Random.Shared.NextDouble()).Ticks);
            }

            if (entered && _stateLog.OnProblem())
            {
                LogProblem();
            }
        }
    }

    /// <summary>The receiver answered with a status no retry fixes.</summary>
    public void EnterRejected(int status)
    {
        lock (_lock)
        {
            _rejectedStatus = status;
            if (Enter(SentryTransportState.Rejected) && _stateLog.OnProblem())
            {
                LogProblem();
            }
        }
    }

    /// <summary>
    /// Logs the current problem when it began too soon after the last one logged to be logged then and the
    /// interval has passed since; called once per batch, so the log catches up while transactions flow.
    /// </summary>
    public void ReportLateChange()
    {
        lock (_lock)
        {
            if (_state != SentryTransportState.Healthy && _stateLog.ShouldLogLateProblem())
            {
                LogProblem();
            }
        }
    }

    /// <summary>Counts <paramref name="count"/> transactions as dropped.</summary>
    public void Drop(long count)
    {
        if (count <= 0)
        {
            return;
        }

        Interlocked.Add(ref _dropped, count);
        Interlocked.Add(ref _droppedSinceReport, count);
    }

    /// <summary>Reports, when the receiver is not healthy, what was dropped since the last report (the exporter stops).</summary>
    public void ReportStopped()
    {
        lock (_lock)
        {
            var dropped = Interlocked.Read(ref _droppedSinceReport);
            if (_state != SentryTransportState.Healthy && dropped > 0)
            {
                SentryExportLog.StoppedWithDrops(_logger, _endpoint, _state, dropped);
            }
        }
    }

    private void Recover(int version)
    {
        lock (_lock)
        {
            // An answer to a request sent before the last change of state is old news (another lane's 200 that
            // was in flight when a 429 arrived, say): it must not undo what a newer answer taught.
            if (_state == SentryTransportState.Healthy || version != _version)
            {
                return;
            }

            if (_stateLog.OnRecovered(out var problems))
            {
                SentryExportLog.Recovered(_logger, _endpoint, Interlocked.Exchange(ref _droppedSinceReport, 0), problems);
            }

            _failedProbes = 0;
            Interlocked.Exchange(ref _probeAtTicks, 0);
            _state = SentryTransportState.Healthy;
            Interlocked.Increment(ref _version);
        }
    }

    // Under _lock. Whether the state changed. Leaving Healthy starts a new count of drops for the recovery line,
    // unless problems whose recovery was not logged are still to be counted in it.
    private bool Enter(SentryTransportState state)
    {
        if (_state == state)
        {
            return false;
        }

        if (_state == SentryTransportState.Healthy && _stateLog.ProblemsSinceLastReport == 0)
        {
            Interlocked.Exchange(ref _droppedSinceReport, 0);
        }

        _state = state;
        Interlocked.Increment(ref _version);
        return true;
    }

    // Under _lock: the line for the state the receiver is in.
    private void LogProblem()
    {
        switch (_state)
        {
            case SentryTransportState.Unreachable:
                SentryExportLog.Unreachable(_logger, _endpoint, _unreachableReason);
                break;
            case SentryTransportState.RateLimited:
                SentryExportLog.RateLimited(_logger, _endpoint, RateLimitedUntil);
                break;
            case SentryTransportState.Rejected:
                SentryExportLog.Rejected(_logger, _endpoint, _rejectedStatus);
                break;
        }
    }
}
