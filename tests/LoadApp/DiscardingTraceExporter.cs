using TraceMiddleware.Export;
using TraceMiddleware.Transactions;

namespace LoadApp;

/// <summary>The "ours-discard" line's exporter: takes every batch of transactions and keeps none, as the OpenTelemetry line's does.</summary>
public sealed class DiscardingTraceExporter : ITraceExporter
{
    public Task ExportAsync(IReadOnlyList<SentryTransaction> batch, CancellationToken cancellationToken) => Task.CompletedTask;
}
