using System.Diagnostics;
using Microsoft.Extensions.Logging;
using TraceMiddleware.Tracing;

namespace TraceMiddleware.Export.Console;

/// <summary>
/// Gathers the local roots of one trace that the console exporters of every host in the process (and the
/// browser, through the tunnel) hand in within <see cref="Window"/> of the first, and logs them as one tree.
/// </summary>
/// <remarks>
/// <para>
/// A trace waits from its first root: its tree is logged <see cref="Window"/> later, with whatever roots of it
/// arrived meanwhile. A root that arrives after that starts a tree of its own, marked as continued
/// (<see cref="ConsoleTreeFormatter.ContinuedLine"/>). The browser's spans only join a trace that is waiting
/// (<see cref="TryJoin"/>): the browser cannot make the console print.
/// </para>
/// <para>
/// Bounded, and nothing is dropped: at most <see cref="MaxPendingTraces"/> traces and
/// <see cref="MaxPendingSpans"/> spans wait (past either, the oldest trace is logged early), and a trace with
/// <see cref="MaxRootsPerTrace"/> roots is logged at once. One timer serves every waiting trace.
/// </para>
/// <para>
/// Each host attaches one <see cref="ConsoleTraceSink"/> (its logger). A tree is logged through a host that contributed to
/// it and is still attached; a host that detaches (its console exporter does when the host stops, or at the
/// latest when it is disposed) first logs, through its own logger, every waiting tree no attached host contributed to. So one host's
/// shutdown never loses another's trees, and a stopped host's logger is never used. Logging happens under the
/// lock, so a host cannot detach while its logger is writing.
/// </para>
/// </remarks>
internal sealed class ConsoleTraceMerger
{
    /// <summary>
    /// How long a trace waits for its other roots after the first reaches the console. The services of one
    /// process end their roots within milliseconds of each other; 2 s also leaves the browser's fetch transaction
    /// time to come through the tunnel, while a tree still shows up while you look.
    /// </summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(2);

    /// <summary>The most traces waiting at once; past it, the oldest is logged early.</summary>
    public const int MaxPendingTraces = 256;

    /// <summary>The most spans waiting at once, roots included; past it, the oldest traces are logged early.</summary>
    public const int MaxPendingSpans = 20_000;

    /// <summary>A trace with this many roots is logged at once; later roots start a continued tree.</summary>
    public const int MaxRootsPerTrace = 64;

    /// <summary>How many logged trace ids are remembered, to mark a later part of one as continued.</summary>
    public const int RememberedTraces = 1024;

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly Dictionary<ActivityTraceId, PendingConsoleTrace> _pending = [];
    private readonly LinkedList<PendingConsoleTrace> _byAge = new();
    private readonly RecentTraceIds _logged = new(RememberedTraces);
    private ITimer? _timer;
    private DateTimeOffset _timerDue = DateTimeOffset.MaxValue;
    private int _pendingSpans;

    /// <summary>Creates a merger on <paramref name="time"/>'s clock and timers (tests pass a fake one).</summary>
    public ConsoleTraceMerger(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
    }

    /// <summary>The one merger of the process, shared by every host's console exporter.</summary>
    public static ConsoleTraceMerger Shared { get; } = new(TimeProvider.System);

    /// <summary>How many traces wait.</summary>
    public int PendingTraceCount
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>How many spans wait, roots included.</summary>
    public int PendingSpanCount
    {
        get
        {
            lock (_gate)
            {
                return _pendingSpans;
            }
        }
    }

    /// <summary>Whether a tree of <paramref name="traceId"/> waits for more of its roots.</summary>
    public bool IsWaiting(ActivityTraceId traceId)
    {
        lock (_gate)
        {
            return _pending.ContainsKey(traceId);
        }
    }

    /// <summary>Attaches a host: its trees may be logged through <paramref name="logger"/> until it detaches.</summary>
    public ConsoleTraceSink Attach(ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        return new ConsoleTraceSink(this, logger);
    }

    /// <summary>Adds a root of this process: it joins its trace's waiting tree, or starts one.</summary>
    public void Offer(ConsoleTraceSink sink, ConsoleTraceRoot root)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(root);
        lock (_gate)
        {
            if (!sink.Attached)
            {
                // Only a host's own late export can come after its detach: shown at once rather than lost.
                Log(sink.Logger, root.TraceId, [root], _logged.Contains(root.TraceId));
                return;
            }

            if (_pending.TryGetValue(root.TraceId, out var trace) && !MakeRoom(root.SpanCount, keep: trace))
            {
                trace = null;
            }

            if (trace is null)
            {
                MakeRoom(root.SpanCount, keep: null);
                trace = new PendingConsoleTrace(root.TraceId, _time.GetUtcNow() + Window, _logged.Contains(root.TraceId));
                trace.Node = _byAge.AddLast(trace);
                _pending.Add(root.TraceId, trace);
            }

            Add(trace, sink, root);
            if (trace.Roots.Count >= MaxRootsPerTrace)
            {
                LogAndRemove(trace, sink.Logger);
            }

            Rearm();
        }
    }

    /// <summary>Adds a root from outside the process (the browser's) to its trace's tree, only while that waits.</summary>
    /// <returns>Whether a tree of its trace was waiting.</returns>
    public bool TryJoin(ConsoleTraceSink sink, ConsoleTraceRoot root)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(root);
        lock (_gate)
        {
            if (!sink.Attached || !_pending.TryGetValue(root.TraceId, out var trace))
            {
                return false;
            }

            if (!MakeRoom(root.SpanCount, keep: trace))
            {
                Rearm();
                return false;
            }

            Add(trace, sink, root);
            if (trace.Roots.Count >= MaxRootsPerTrace)
            {
                LogAndRemove(trace, sink.Logger);
            }

            Rearm();
            return true;
        }
    }

    internal void Detach(ConsoleTraceSink sink)
    {
        lock (_gate)
        {
            if (!sink.Attached)
            {
                return;
            }

            sink.Attached = false;
            for (var node = _byAge.First; node is not null;)
            {
                var trace = node.Value;
                node = node.Next;
                if (trace.Contributors.Contains(sink) && FirstAttached(trace) is null)
                {
                    LogAndRemove(trace, sink.Logger);
                }
            }

            Rearm();
        }
    }

    private void OnTimer(object? state)
    {
        // A timer callback that throws ends the process: nothing may escape.
        try
        {
            lock (_gate)
            {
                _timerDue = DateTimeOffset.MaxValue;
                var now = _time.GetUtcNow();
                while (_byAge.First is { } oldest && oldest.Value.Due <= now)
                {
                    LogAndRemove(oldest.Value, fallback: null);
                }

                Rearm();
            }
        }
        catch (Exception)
        {
        }
    }

    private void Add(PendingConsoleTrace trace, ConsoleTraceSink sink, ConsoleTraceRoot root)
    {
        trace.Roots.Add(root);
        trace.SpanCount += root.SpanCount;
        _pendingSpans += root.SpanCount;
        if (!trace.Contributors.Contains(sink))
        {
            trace.Contributors.Add(sink);
        }
    }

    /// <summary>
    /// Logs the oldest traces early until <paramref name="spans"/> more spans fit, and one more trace unless they
    /// join <paramref name="keep"/>, which is logged only when nothing else is left to make room.
    /// </summary>
    /// <returns>Whether <paramref name="keep"/> still waits.</returns>
    private bool MakeRoom(int spans, PendingConsoleTrace? keep)
    {
        var traces = keep is null ? 1 : 0;
        while (_pending.Count + traces > MaxPendingTraces || _pendingSpans + spans > MaxPendingSpans)
        {
            var oldest = _byAge.First;
            if (oldest is not null && ReferenceEquals(oldest.Value, keep))
            {
                oldest = oldest.Next;
            }

            if (oldest is null)
            {
                if (keep is null)
                {
                    return true;
                }

                // The growing trace is the only one left: it is logged as it is, and the new root starts anew.
                LogAndRemove(keep, fallback: null);
                return false;
            }

            LogAndRemove(oldest.Value, fallback: null);
        }

        return true;
    }

    private void LogAndRemove(PendingConsoleTrace trace, ILogger? fallback)
    {
        _pending.Remove(trace.TraceId);
        if (trace.Node is { List: not null } node)
        {
            _byAge.Remove(node);
        }

        _pendingSpans -= trace.SpanCount;
        _logged.Add(trace.TraceId);
        var logger = FirstAttached(trace)?.Logger ?? fallback;
        if (logger is not null)
        {
            Log(logger, trace.TraceId, trace.Roots, trace.Continued);
        }
    }

    private static void Log(ILogger logger, ActivityTraceId traceId, IReadOnlyList<ConsoleTraceRoot> roots, bool continued)
    {
        if (!logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        try
        {
            TracingLog.ConsoleTree(logger, traceId.ToHexString(), ConsoleTreeFormatter.Format(roots, continued));
        }
        catch (Exception)
        {
            // A logging provider that throws loses this tree, never the merger's state.
        }
    }

    private static ConsoleTraceSink? FirstAttached(PendingConsoleTrace trace)
    {
        for (var i = 0; i < trace.Contributors.Count; i++)
        {
            if (trace.Contributors[i].Attached)
            {
                return trace.Contributors[i];
            }
        }

        return null;
    }

    /// <summary>Sets the timer for the oldest waiting trace, or stops it when none waits.</summary>
    private void Rearm()
    {
        var due = _byAge.First?.Value.Due ?? DateTimeOffset.MaxValue;
        if (due == _timerDue)
        {
            return;
        }

        _timerDue = due;
        if (due == DateTimeOffset.MaxValue)
        {
            _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }

        var wait = due - _time.GetUtcNow();
        if (wait < TimeSpan.Zero)
        {
            wait = TimeSpan.Zero;
        }

        _timer ??= _time.CreateTimer(OnTimer, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _timer.Change(wait, Timeout.InfiniteTimeSpan);
    }
}
