using TraceMiddleware.Transactions;

namespace TraceMiddleware.Export;

/// <summary>
/// Receives finished, sampled transactions in batches, on one background task, never on a request
/// thread. Register implementations with <c>services.AddTraceExporter&lt;T&gt;()</c>. OpenTelemetry users
/// need none: add the <c>TraceMiddleware</c> activity source to a TracerProvider instead.
/// </summary>
public interface ITraceExporter
{
    /// <summary>Exports one batch. Exceptions are logged (once per change of state) and the batch is dropped.</summary>
    /// <param name="batch">The transactions, in the order their roots finished.</param>
    /// <param name="cancellationToken">Cancelled when the host's shutdown flush runs out of time.</param>
    /// <returns>A task that completes when the batch is handled.</returns>
    Task ExportAsync(IReadOnlyList<SentryTransaction> batch, CancellationToken cancellationToken);
}
