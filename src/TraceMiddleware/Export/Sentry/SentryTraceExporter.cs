using System.Diagnostics;
using Microsoft.Extensions.Logging;
using TraceMiddleware.Configuration;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.Export.Sentry;

/// <summary>
/// Sends each transaction as one Sentry envelope to the DSN's envelope endpoint (PROTOCOL.md §8), up to
/// <see cref="SentryTransportOptions.MaxConcurrentSends"/> at once: gzip over a threshold, rate limits honoured,
/// transient failures retried with backoff and full jitter, a bounded number of times, then dropped. Never
/// throws out of <see cref="ExportAsync"/>; logs each change of state once (a flapping receiver at most one
/// problem and its recovery per <see cref="StateChangeLogLimiter.Interval"/>).
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
/// between are held (<see cref="HeldTransactions"/>) and go with the probe, or are dropped when it fails. When
/// the host stops, <see cref="FlushAsync"/> is that probe, whatever the wait.
/// </para>
/// </remarks>
internal sealed class SentryTraceExporter : ITraceExporter, IFlushableTraceExporter, IDisposable
{
    /// <summary>The most <see cref="SentryTransportOptions.MaxConcurrentSends"/> may be: beyond it, more connections to one receiver only add load.</summary>
    public const int MaxConcurrentSendsLimit = 64;

    private readonly ILogger _logger;
    private readonly SentryTransport _transport;
    private readonly SentryReceiverState _receiver;
    private readonly EnvelopeSender _sender;
    private readonly EnvelopeLanes _lanes;
    private readonly HeldTransactions _held;
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
        : this(new SentryTransport(dsn ?? throw new ArgumentNullException(nameof(dsn)), handler), options, logger, time, writer)
    {
    }

    /// <summary>Creates an exporter that sends through <paramref name="transport"/>, which it then owns (Spotlight's, for example).</summary>
    /// <param name="transport">Where and how envelopes are posted.</param>
    /// <param name="options">Timeouts, retries, gzip, concurrency.</param>
    /// <param name="logger">Where state changes are logged.</param>
    /// <param name="time">The clock; the system clock when null.</param>
    /// <param name="writer">The envelope writer; a new one when null.</param>
    public SentryTraceExporter(SentryTransport transport, SentryTransportOptions options, ILogger logger, TimeProvider? time, EnvelopeWriter? writer = null)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxAttempts, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConcurrentSends, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.MaxConcurrentSends, MaxConcurrentSendsLimit);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.GzipThresholdBytes, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BaseBackoff, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.RequestTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxHeldTransactions);
        time ??= TimeProvider.System;
        _logger = logger;
        _transport = transport;
        _receiver = new SentryReceiverState(transport.Endpoint, logger, time);
        _sender = new EnvelopeSender(_transport, _receiver, options, logger, time);
        _lanes = new EnvelopeLanes(writer ?? new EnvelopeWriter(time), options.MaxConcurrentSends, options.GzipThresholdBytes);
        _held = new HeldTransactions(options.MaxHeldTransactions);
    }

    /// <summary>Where envelopes go.</summary>
    internal Uri Endpoint => _transport.Endpoint;

    /// <summary>Whether the receiver is Spotlight rather than Sentry (for the start-up line).</summary>
    internal bool IsSpotlight { get; init; }

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

    /// <summary>Transactions waiting, unsent, for the next probe of an unreachable receiver.</summary>
    internal int HeldCount => _held.Count;

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
            _receiver.ReportLateChange();
            if (_disposed)
            {
                _receiver.Drop(batch.Count);
                return;
            }

            // A receiver found down is not asked again until its probe wait has passed, rather than once per batch
            // (hundreds of refused connections a second under load): the batch waits for the probe instead.
            if (_receiver.IsWaitingToProbe)
            {
                _receiver.Drop(_held.Hold(batch));
                return;
            }

            await new SentryBatch(_held.TakeWith(batch), _sender, _receiver, _logger).RunAsync(_lanes, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// The last try at shutdown: what waits for a receiver found down is sent now, the first envelope probing it
    /// with one attempt whatever the probe wait (the rest follow if it answers); what could not be sent is logged.
    /// </summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        Activity.Current = null;
        try
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // An export still runs (its own cancellation is on the way); Dispose counts what is held.
            return;
        }

        try
        {
            var held = _held.TakeWith([]);
            if (_disposed || held.Count == 0)
            {
                _receiver.Drop(held.Count);
                return;
            }

            var droppedBefore = _receiver.DroppedCount;
            await new SentryBatch(held, _sender, _receiver, _logger).RunAsync(_lanes, cancellationToken).ConfigureAwait(false);
            if (_receiver.DroppedCount - droppedBefore is > 0 and var notSent)
            {
                SentryExportLog.NotSentAtShutdown(_logger, _transport.Endpoint, _receiver.Current, notSent);
            }
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
        _receiver.Drop(_held.TakeWith([]).Count);
        _receiver.ReportStopped();

        // Only the transport: an export still running must find its gate and lanes usable (its sends
        // then fail and are dropped), since nothing may escape ExportAsync.
        _transport.Dispose();
    }
}
