using Microsoft.Extensions.Logging;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.Export.Sentry;

/// <summary>
/// One batch on its way to the receiver: each lane takes the batch's next transaction as soon as its last one
/// is done. What one lane learns holds for all: a rate limit stops the others from sending or retrying, and a
/// receiver found down stops them from starting new sends, so the rest of the batch is dropped rather than
/// waiting out timeouts. Until the receiver has accepted an envelope, one goes at a time.
/// </summary>
internal sealed class SentryBatch
{
    // Why the batch stopped early (flags: a lane may find the receiver down as the caller cancels).
    private const int StoppedByReceiverDown = 1;
    private const int StoppedByCancellation = 2;

    private readonly IReadOnlyList<SentryTransaction> _transactions;
    private readonly EnvelopeSender _sender;
    private readonly SentryReceiverState _receiver;
    private readonly ILogger _logger;
    private readonly Func<bool> _shouldAbandon;
    private int _nextIndex;
    private int _handled;
    private int _stop;

    public SentryBatch(IReadOnlyList<SentryTransaction> transactions, EnvelopeSender sender, SentryReceiverState receiver, ILogger logger)
    {
        _transactions = transactions;
        _sender = sender;
        _receiver = receiver;
        _logger = logger;
        _shouldAbandon = ShouldAbandon;
    }

    /// <summary>Sends the batch on up to <see cref="EnvelopeLanes.Count"/> lanes; drops (and counts) what it does not deliver.</summary>
    public async Task RunAsync(EnvelopeLanes lanes, CancellationToken cancellationToken)
    {
        // Until the receiver has accepted an envelope, one goes at a time: one that is down, rate-limiting
        // or rejecting the key then costs the batch one envelope's attempts, not one per lane.
        await RunLaneAsync(lanes, 0, untilAccepting: true, cancellationToken).ConfigureAwait(false);

        var count = Math.Min(lanes.Count, _transactions.Count - Volatile.Read(ref _nextIndex));
        if (count == 1)
        {
            await RunLaneAsync(lanes, 0, untilAccepting: false, cancellationToken).ConfigureAwait(false);
        }
        else if (count > 1)
        {
            var running = new Task[count];
            for (var lane = 0; lane < count; lane++)
            {
                running[lane] = RunLaneAsync(lanes, lane, untilAccepting: false, cancellationToken);
            }

            await Task.WhenAll(running).ConfigureAwait(false);
        }

        // What no lane handled (the batch stopped early) is dropped here, and a cancellation logged once.
        var rest = _transactions.Count - Volatile.Read(ref _handled);
        if ((Volatile.Read(ref _stop) & StoppedByCancellation) != 0 && rest > 0)
        {
            Cancelled(_receiver, _logger, rest);
        }
        else
        {
            _receiver.Drop(rest);
        }
    }

    /// <summary>Drops <paramref name="count"/> transactions for a cancelled export, and says so once.</summary>
    public static void Cancelled(SentryReceiverState receiver, ILogger logger, long count)
    {
        receiver.Drop(count);
        SentryExportLog.Cancelled(logger, count);
    }

    // One lane's loop: take the next transaction of the batch until none is left or the batch stops; while
    // untilAccepting, also stop as soon as the receiver accepts (the batch then fans out).
    private async Task RunLaneAsync(EnvelopeLanes lanes, int index, bool untilAccepting, CancellationToken cancellationToken)
    {
        var lane = lanes[index];
        while (Volatile.Read(ref _stop) == 0 && !(untilAccepting && _receiver.IsAccepting))
        {
            if (cancellationToken.IsCancellationRequested)
            {
                Stop(StoppedByCancellation);
                return;
            }

            var i = Interlocked.Increment(ref _nextIndex) - 1;

            // Another lane may have stopped the batch since the check above: the transaction is then left to
            // the rest, which RunAsync drops.
            if (i >= _transactions.Count || Volatile.Read(ref _stop) != 0)
            {
                return;
            }

            var result = _receiver.IsRateLimited ? Dropped()
                : !TryWrite(lane, _transactions[i], lanes.GzipThresholdBytes) ? SendResult.Continue
                : await _sender.SendAsync(lane, _shouldAbandon, cancellationToken).ConfigureAwait(false);
            if (result == SendResult.Cancelled)
            {
                Stop(StoppedByCancellation);
                return;
            }

            Interlocked.Increment(ref _handled);
            if (result == SendResult.StopBatch)
            {
                // The receiver is down: the rest of this batch would wait out the same timeouts.
                Stop(StoppedByReceiverDown);
                return;
            }
        }
    }

    private void Stop(int reason) => Interlocked.Or(ref _stop, reason);

    // Another lane found the receiver down, or a rate limit arrived: a retry would be wasted or unwelcome.
    private bool ShouldAbandon() => (Volatile.Read(ref _stop) & StoppedByReceiverDown) != 0 || _receiver.IsRateLimited;

    private SendResult Dropped()
    {
        _receiver.Drop(1);
        return SendResult.Continue;
    }

    private bool TryWrite(EnvelopeLane lane, SentryTransaction transaction, int gzipThresholdBytes)
    {
        try
        {
            lane.Write(transaction, gzipThresholdBytes);
            return true;
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // A tag whose ToString throws, for example: one bad transaction must not stop the exporter.
            SentryExportLog.WriteFailed(_logger, transaction.Root.DisplayName, exception);
            _receiver.Drop(1);
            return false;
        }
    }
}
