using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace TraceMiddleware.Export.Sentry;

/// <summary>
/// Sends each transaction as one Sentry envelope to the DSN's envelope endpoint (PROTOCOL.md §8), up to
/// <see cref="SentryTransportOptions.MaxConcurrentSends"/> at once: gzip over a threshold, rate limits honoured,
/// transient failures retried with backoff and full jitter, a bounded number of times, then dropped. Never
/// throws out of <see cref="ExportAsync"/>; logs each change of state once.
/// </summary>
/// <remarks>
/// The parts: <see cref="SentryTransport"/> (the HTTP request and what is read of the answer),
/// <see cref="EnvelopeSender"/> (the attempts of one envelope, <see cref="SentryRetryPolicy"/>),
/// <see cref="SentryBatch"/> (the lanes of one batch) and <see cref="SentryReceiverState"/> (what all of them
/// have learned about the receiver). Sends run with <see cref="Activity.Current"/> cleared, so nothing
/// exporting a span becomes a span itself.
/// <para>
/// Batches are exported one at a time. A receiver found down is left alone until a probe wait has passed
/// (<see cref="SentryTransportOptions.FirstProbeWait"/>, doubling per failed probe up to
/// <see cref="SentryTransportOptions.MaxBackoff"/>), when one envelope with one attempt probes it; batches in
/// between are dropped unsent.
/// </para>
/// </remarks>
internal sealed class SentryTraceExporter : ITraceExporter, IDisposable
{
    /// <summary>The most <see cref="SentryTransportOptions.MaxConcurrentSends"/> may be: beyond it, more connections to one receiver only add load.</summary>
    public const int MaxConcurrentSendsLimit = 64;

    private readonly ILogger _logger;
    private readonly SentryTransport _transport;
    private readonly SentryReceiverState _receiver;
    private readonly EnvelopeSender _sender;
    private readonly EnvelopeLanes _lanes;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _disposed;

    /// <summary>Creates the exporter.</summary>
    /// <param name="dsn">Where to send.</param>
    /// <param name="options">Timeouts, retries, gzip, concurrency.</param>
    /// <param name="handler">
    /// The primary handler, for tests; null builds the exporter's own <see cref="SocketsHttpHandler"/> with no
    /// header propagator. A handler given here is not disposed by the exporter.
    /// </param>
    /// <param name="logger">Where state changes are logged.</param>
    /// <param name="time">The clock for rate limits, timeouts, backoff and <c>sent_at</c>; the system clock when null.</param>
    /// <param name="writer">
    /// The envelope writer; tests pass one with a fixed event id. Concurrent sends use <see cref="EnvelopeWriter.Fork"/>s of it.
    /// </param>
    public SentryTraceExporter(SentryDsn dsn, SentryTransportOptions options, HttpMessageHandler? handler, ILogger logger, TimeProvider? time, EnvelopeWriter? writer = null)
    {
        ArgumentNullException.ThrowIfNull(dsn);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxAttempts, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConcurrentSends, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.MaxConcurrentSends, MaxConcurrentSendsLimit);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.GzipThresholdBytes, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BaseBackoff, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.RequestTimeout, TimeSpan.Zero);
        time ??= TimeProvider.System;
        _logger = logger;
        _transport = new SentryTransport(dsn, handler);
        _receiver = new SentryReceiverState(dsn.EnvelopeEndpoint, logger, time);
        _sender = new EnvelopeSender(_transport, _receiver, options, logger, time);
        _lanes = new EnvelopeLanes(writer ?? new EnvelopeWriter(time), options.MaxConcurrentSends, options.GzipThresholdBytes);
    }

    /// <summary>What the exporter last learned about the receiver.</summary>
    internal SentryTransportState State => _receiver.Current;

    /// <summary>Until when transactions are dropped without sending.</summary>
    internal DateTimeOffset RateLimitedUntil => _receiver.RateLimitedUntil;

    /// <summary>Transactions the receiver accepted.</summary>
    internal long DeliveredCount => _receiver.DeliveredCount;

    /// <summary>Transactions dropped for any reason.</summary>
    internal long DroppedCount => _receiver.DroppedCount;

    /// <summary>When the next probe of an unreachable receiver may go (for tests).</summary>
    internal DateTimeOffset ProbeAt => _receiver.ProbeAt;

    /// <inheritdoc />
    public async Task ExportAsync(IReadOnlyList<SentryTransaction> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);

        // An async method restores the caller's ExecutionContext when it returns, so this clears the span
        // for our sends only (the lanes start from this context and inherit it).
        Activity.Current = null;

        try
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            SentryBatch.Cancelled(_receiver, _logger, batch.Count);
            return;
        }

        try
        {
            // A receiver found down is not asked again until its probe wait has passed: the batch goes without a
            // connection attempt, rather than one per batch (hundreds a second under load).
            if (_disposed || _receiver.IsWaitingToProbe)
            {
                _receiver.Drop(batch.Count);
                return;
            }

            await new SentryBatch(batch, _sender, _receiver, _logger).RunAsync(_lanes, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Disposes the HttpClient (later exports drop their batch), reporting transactions dropped since the last report.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _receiver.ReportStopped();

        // Only the transport: an export still running must find its gate and lanes usable (its sends
        // then fail and are dropped), since nothing may escape ExportAsync.
        _transport.Dispose();
    }
}
