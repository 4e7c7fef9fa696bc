using TraceMiddleware.Export;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.Testing;

/// <summary>
/// Records each batch; can hold its first batch until released, throw on chosen calls, or wait for
/// cancellation, so that tests control the sender without timing.
/// </summary>
public sealed class RecordingExporter : ITraceExporter
{
    private readonly Lock _gate = new();
    private readonly List<IReadOnlyList<SentryTransaction>> _batches = [];
    private readonly List<(int Count, TaskCompletionSource Source)> _waiters = [];
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _calls;

    /// <summary>Hold the first batch until <see cref="Release"/>.</summary>
    public bool HoldFirstBatch { get; init; }

    /// <summary>Never finish a batch; wait for the cancellation token instead.</summary>
    public bool WaitForCancellation { get; init; }

    /// <summary>Throws on the calls (1-based) for which this returns true.</summary>
    public Func<int, bool> ThrowOnCall { get; init; } = _ => false;

    /// <summary>Completes when the first batch arrives.</summary>
    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when a batch saw its token cancelled.</summary>
    public TaskCompletionSource Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<IReadOnlyList<SentryTransaction>> Batches
    {
        get
        {
            lock (_gate)
            {
                return [.. _batches];
            }
        }
    }

    public IReadOnlyList<SentryTransaction> Transactions => Batches.SelectMany(b => b).ToList();

    public void Release() => _release.TrySetResult();

    public Task WaitForTransactionCountAsync(int count)
    {
        lock (_gate)
        {
            if (_batches.Sum(b => b.Count) >= count)
            {
                return Task.CompletedTask;
            }

            var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, source));
            return source.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    public async Task ExportAsync(IReadOnlyList<SentryTransaction> batch, CancellationToken cancellationToken)
    {
        var call = Interlocked.Increment(ref _calls);
        Entered.TrySetResult();
        if (HoldFirstBatch && call == 1)
        {
            await _release.Task.WaitAsync(cancellationToken);
        }

        if (WaitForCancellation)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            finally
            {
                Cancelled.TrySetResult();
            }
        }

        if (ThrowOnCall(call))
        {
            throw new InvalidOperationException($"export call {call} fails");
        }

        lock (_gate)
        {
            _batches.Add([.. batch]);
            var total = _batches.Sum(b => b.Count);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (total >= _waiters[i].Count)
                {
                    _waiters[i].Source.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }
}
