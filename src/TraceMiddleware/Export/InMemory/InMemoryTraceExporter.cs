using System.Globalization;
using System.Text;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.Export.InMemory;

/// <summary>
/// Keeps every exported transaction in memory, for your integration tests: register it with
/// <c>services.AddInMemoryTraceExporter()</c>, resolve it from the test host's services, and await
/// <see cref="WaitForTransactionAsync"/> (export runs on a background task, after the response).
/// It keeps everything until <see cref="Clear"/>: not for production.
/// </summary>
public sealed class InMemoryTraceExporter : ITraceExporter
{
    private readonly Lock _gate = new();
    private readonly List<SentryTransaction> _transactions = [];
    private readonly List<(Func<SentryTransaction, bool> Predicate, TaskCompletionSource<SentryTransaction> Source)> _waiters = [];

    /// <summary>A snapshot of the transactions exported so far, in export order.</summary>
    public IReadOnlyList<SentryTransaction> Transactions
    {
        get
        {
            lock (_gate)
            {
                return [.. _transactions];
            }
        }
    }

    /// <summary>Forgets the transactions exported so far.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _transactions.Clear();
        }
    }

    /// <inheritdoc/>
    public Task ExportAsync(IReadOnlyList<SentryTransaction> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        List<(TaskCompletionSource<SentryTransaction> Source, SentryTransaction? Match, Exception? Error)>? done = null;
        lock (_gate)
        {
            for (var i = 0; i < batch.Count; i++)
            {
                _transactions.Add(batch[i]);
            }

            for (var w = _waiters.Count - 1; w >= 0; w--)
            {
                var (predicate, source) = _waiters[w];
                for (var i = 0; i < batch.Count; i++)
                {
                    SentryTransaction? match = null;
                    Exception? error = null;
                    try
                    {
                        match = predicate(batch[i]) ? batch[i] : null;
                    }
                    catch (Exception exception)
                    {
                        // The test's predicate is at fault: its own wait fails, the export does not.
                        error = exception;
                    }

                    if (match is not null || error is not null)
                    {
                        _waiters.RemoveAt(w);
                        (done ??= []).Add((source, match, error));
                        break;
                    }
                }
            }
        }

        if (done is not null)
        {
            foreach (var (source, match, error) in done)
            {
                if (error is not null)
                {
                    source.TrySetException(error);
                }
                else
                {
                    source.TrySetResult(match!);
                }
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Returns the first exported transaction that matches <paramref name="predicate"/>: one already
    /// exported, or the next one to be.
    /// </summary>
    /// <param name="predicate">Picks the transaction, for example by trace id or name.</param>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits for ever.</param>
    /// <returns>The matching transaction.</returns>
    /// <exception cref="TimeoutException">None matched in time; the message lists what was exported.</exception>
    public async Task<SentryTransaction> WaitForTransactionAsync(Func<SentryTransaction, bool> predicate, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var waiter = (predicate, new TaskCompletionSource<SentryTransaction>(TaskCreationOptions.RunContinuationsAsynchronously));
        lock (_gate)
        {
            for (var i = 0; i < _transactions.Count; i++)
            {
                if (predicate(_transactions[i]))
                {
                    return _transactions[i];
                }
            }

            _waiters.Add(waiter);
        }

        try
        {
            return await waiter.Item2.Task.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException(Describe(timeout));
        }
        finally
        {
            lock (_gate)
            {
                _waiters.Remove(waiter);
            }
        }
    }

    private string Describe(TimeSpan timeout)
    {
        var text = new StringBuilder();
        lock (_gate)
        {
            text.Append(CultureInfo.InvariantCulture, $"No exported transaction matched within {timeout}; {_transactions.Count} were exported");
            for (var i = 0; i < _transactions.Count && i < 20; i++)
            {
                var root = _transactions[i].Root;
                text.Append(i == 0 ? ": " : ", ").Append(CultureInfo.InvariantCulture, $"'{root.DisplayName}' (trace {root.TraceId.ToHexString()})");
            }
        }

        return text.Append('.').ToString();
    }
}
