using System.Collections.Concurrent;

namespace Shop.Payments;

/// <summary>Stands in for the card processor and the transactions table: the sample calls nothing outside.</summary>
public sealed class Ledger
{
    private readonly ConcurrentQueue<ChargeResult> _transactions = new();

    /// <summary>Charges the card and returns the processor's transaction id.</summary>
    public async Task<string> ChargeCardAsync(ChargeRequest charge, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(charge);

        // Latency of a card processor, so that the payment.charge span is visible in the trace.
        await Task.Delay(TimeSpan.FromMilliseconds(25), cancellationToken);
        return "tx_" + Guid.NewGuid().ToString("N")[..12];
    }

    /// <summary>Records a completed charge.</summary>
    public async Task RecordAsync(ChargeResult result, CancellationToken cancellationToken)
    {
        await Task.Delay(TimeSpan.FromMilliseconds(5), cancellationToken);
        _transactions.Enqueue(result);
    }
}
