namespace TraceMiddleware.Export;

/// <summary>
/// Keeps a flapping state from flooding the log. Of the lines that say something went wrong (a problem) and
/// came right again (its recovery), at most one pair is written per <see cref="Interval"/>: a problem that
/// begins within the interval of the last one logged is not logged, nor then its recovery. One that is still
/// on when the interval has passed is logged late, the next time the owner asks
/// (<see cref="ShouldLogLateProblem"/>), so the log never says "fine" for longer than the interval while it is
/// not. A recovery line counts the problems since the last recovery line, logged or not.
/// </summary>
/// <remarks>Not thread-safe: the owner calls it under its own lock, around the state it guards.</remarks>
internal sealed class StateChangeLogLimiter
{
    /// <summary>At most one problem line, and so one pair, per this interval.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly TimeProvider _time;
    private long _nextProblemTicks = long.MinValue;
    private bool _recoveryOwed;
    private bool _problemUnlogged;
    private int _problems;

    public StateChangeLogLimiter(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
    }

    /// <summary>Problems (logged or not) since the last recovery line: while above 0, counts since then still add up.</summary>
    public int ProblemsSinceLastReport => _problems;

    /// <summary>Whether a problem is on that the log does not show yet; a cheap check before <see cref="ShouldLogLateProblem"/>.</summary>
    public bool HasUnloggedProblem => _problemUnlogged;

    /// <summary>From when (UTC ticks) a problem may be logged again; a cheap check before <see cref="ShouldLogLateProblem"/>.</summary>
    public long NextProblemTicks => _nextProblemTicks;

    /// <summary>Something went wrong (or went wrong differently).</summary>
    /// <returns>Whether to log it now.</returns>
    public bool OnProblem()
    {
        _problems++;
        _problemUnlogged = true;
        return TryLogProblem();
    }

    /// <summary>Asked while the problem lasts (on each drop, say): whether a problem not logged when it began may be logged now.</summary>
    public bool ShouldLogLateProblem() => _problemUnlogged && TryLogProblem();

    /// <summary>Things are fine again.</summary>
    /// <param name="problems">For the recovery line: the problems since the last recovery line, logged or not.</param>
    /// <returns>Whether to log it: only when the problem it ends was logged.</returns>
    public bool OnRecovered(out int problems)
    {
        _problemUnlogged = false;
        problems = _problems;
        if (!_recoveryOwed)
        {
            return false;
        }

        _recoveryOwed = false;
        _problems = 0;
        return true;
    }

    private bool TryLogProblem()
    {
        var now = _time.GetUtcNow().UtcTicks;
        if (now < _nextProblemTicks)
        {
            return false;
        }

        _nextProblemTicks = now + Interval.Ticks;
        _recoveryOwed = true;
        _problemUnlogged = false;
        return true;
    }
}
