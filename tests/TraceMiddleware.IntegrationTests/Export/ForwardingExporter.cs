using TraceMiddleware.Export;
using TraceMiddleware.Export.InMemory;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.IntegrationTests.Export;

/// <summary>An exporter with a constructor dependency, as users write them.</summary>
public sealed class ForwardingExporter(InMemoryTraceExporter inner) : ITraceExporter
{
    public Task ExportAsync(IReadOnlyList<SentryTransaction> batch, CancellationToken cancellationToken) => inner.ExportAsync(batch, cancellationToken);
}
