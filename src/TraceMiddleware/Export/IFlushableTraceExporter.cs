namespace TraceMiddleware.Export;

/// <summary>
/// An exporter that may hold transactions back (the Sentry exporter, while it leaves a receiver found down
/// alone) and wants a last try at them when the host stops: the pipeline calls <see cref="FlushAsync"/> once
/// the queue is drained, within the shutdown timeout.
/// </summary>
internal interface IFlushableTraceExporter
{
    /// <summary>Sends what it holds, once, whatever its own waits, and reports what it could not send. Never throws.</summary>
    /// <param name="cancellationToken">Cancelled when the shutdown timeout runs out.</param>
    Task FlushAsync(CancellationToken cancellationToken);
}
