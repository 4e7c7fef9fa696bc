using TraceMiddleware.Export;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.Benchmarks;

/// <summary>Takes every batch and keeps nothing, so a benchmark measures the work up to the exporter.</summary>
public sealed class DiscardingTraceExporter : ITraceExporter
{
    private long _transactions;

    public long Transactions => Interlocked.Read(ref _transactions);

    public Task ExportAsync(IReadOnlyList<SentryTransaction> batch, CancellationToken cancellationToken)
    {
        Interlocked.Add(ref _transactions, batch.Count);
        return Task.CompletedTask;
    }
}
