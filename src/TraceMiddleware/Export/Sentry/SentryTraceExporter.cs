using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging;

using TraceMiddleware.Http;

namespace TraceMiddleware.Export.Sentry;

/// <summary>
/// Sends each transaction as one Sentry envelope to the DSN's envelope endpoint (PROTOCOL.md §8), up to
/// <see cref="SentryTransportOptions.MaxConcurrentSends"/> at once: gzip over a threshold, rate limits honoured,
/// transient failures retried with backoff and full jitter, a bounded number of times, then dropped. Never
/// throws out of <see cref="ExportAsync"/>; logs each change of state once.
/// </summary>
/// <remarks>
/// Its HttpClient is its own, built on a <see cref="SocketsHttpHandler"/> without an
/// <see cref="SocketsHttpHandler.ActivityHeadersPropagator"/>: .NET then adds no DiagnosticsHandler, so the
/// envelope POST carries no <c>traceparent</c>/<c>baggage</c> and starts no <c>System.Net.Http</c> activity. It
/// is never an <c>IHttpClientFactory</c> client, whose handlers would propagate and trace it. Sends run
/// with <see cref="Activity.Current"/> cleared, so nothing exporting a span becomes a span itself.
/// <para>
/// Batches are exported one at a time; within a batch, each concurrent send (a lane) takes the next
/// transaction as soon as its last one is done, writing into an <see cref="EnvelopeLane"/> of its own. What
/// one lane learns holds for all: a rate limit stops the others from sending or retrying, and a receiver
/// found down stops them from starting new sends, so the rest of the batch is dropped rather than waiting
/// out timeouts. Later batches are then dropped unsent until a probe wait has passed
/// (<see cref="SentryTransportOptions.FirstProbeWait"/>, doubling per failed probe up to
/// <see cref="SentryTransportOptions.MaxBackoff"/>), when one envelope with one attempt probes the receiver.
/// </para>
/// </remarks>
internal sealed class SentryTraceExporter : ITraceExporter, IDisposable
{
    /// <summary>The media type Spotlight requires (it ignores envelopes without it).</summary>
    public const string EnvelopeContentType = "application/x-sentry-envelope";

    /// <summary>The Sentry protocol version in <c>X-Sentry-Auth</c>.</summary>
    public const int SentryProtocolVersion = 7;

    /// <summary>The most <see cref="SentryTransportOptions.MaxConcurrentSends"/> may be: beyond it, more connections to one receiver only add load.</summary>
    public const int MaxConcurrentSendsLimit = 64;

    private const string AuthHeader = "X-Sentry-Auth";
    private const string RateLimitsHeader = "X-Sentry-Rate-Limits";
    private const string RetryAfterHeader = "Retry-After";

    // Why a batch stopped early (flags: a lane may find the receiver down as the caller cancels).
    private const int StoppedByReceiverDown = 1;
    private const int StoppedByCancellation = 2;

    private readonly SentryDsn _dsn;
    private readonly SentryTransportOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly HttpClient _client;
    private readonly EnvelopeWriter _writer;
    private readonly string _auth;
    private readonly string _userAgent;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _stateLock = new();
    private readonly EnvelopeLane?[] _lanes;

    private volatile SentryTransportState _state = SentryTransportState.Healthy;
    private volatile bool _disposed;
    private int _stateVersion;
    private long _rateLimitedUntilTicks;

    // While Unreachable: nothing is sent before this time, then one envelope probes; each failed probe doubles the wait.
    private long _probeAtTicks;
    private int _failedProbes;
    private long _droppedSinceReport;
    private long _delivered;
    private long _dropped;
    private int _tooLargeLogged;

    // The batch in progress, shared by its lanes; reset under _gate for each batch.
    private int _nextIndex;
    private int _handled;
    private int _batchStop;

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
        _dsn = dsn;
        _options = options;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _writer = writer ?? new EnvelopeWriter(_time);
        _lanes = new EnvelopeLane?[options.MaxConcurrentSends];
        _client = handler is null
            ? new HttpClient(UntracedHttpHandler.Create(), disposeHandler: true)
            : new HttpClient(handler, disposeHandler: false);
        _client.Timeout = Timeout.InfiniteTimeSpan;
        _auth = $"Sentry sentry_version={SentryProtocolVersion}, sentry_client={SentrySdkInfo.Name}/{SentrySdkInfo.Version}, sentry_key={dsn.PublicKey}";
        _userAgent = $"{SentrySdkInfo.Name}/{SentrySdkInfo.Version}";
    }

    /// <summary>What the exporter last learned about the receiver.</summary>
    internal SentryTransportState State => _state;

    /// <summary>Until when transactions are dropped without sending.</summary>
    internal DateTimeOffset RateLimitedUntil => new(Interlocked.Read(ref _rateLimitedUntilTicks), TimeSpan.Zero);

    /// <summary>Transactions the receiver accepted.</summary>
    internal long DeliveredCount => Interlocked.Read(ref _delivered);

    /// <summary>Transactions dropped for any reason.</summary>
    internal long DroppedCount => Interlocked.Read(ref _dropped);

    // Whether a batch may fan out: the receiver has accepted an envelope and nothing went wrong since.
    private bool IsAccepting => _state == SentryTransportState.Healthy && Interlocked.Read(ref _delivered) > 0;

    private bool IsRateLimited => _time.GetUtcNow().UtcTicks < Interlocked.Read(ref _rateLimitedUntilTicks);

    // The receiver was found down and the wait before the next probe has not passed: a send would only find it down again.
    private bool IsWaitingToProbe => _state == SentryTransportState.Unreachable && _time.GetUtcNow().UtcTicks < Interlocked.Read(ref _probeAtTicks);

    /// <summary>When the next probe of an unreachable receiver may go (for tests).</summary>
    internal DateTimeOffset ProbeAt => new(Interlocked.Read(ref _probeAtTicks), TimeSpan.Zero);

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
            Cancelled(batch.Count);
            return;
        }

        try
        {
            // A receiver found down is not asked again until its probe wait has passed: the batch goes without a
            // connection attempt, rather than one per batch (hundreds a second under load).
            if (_disposed || IsWaitingToProbe)
            {
                Drop(batch.Count);
                return;
            }

            _nextIndex = 0;
            _handled = 0;
            _batchStop = 0;

            // Until the receiver has accepted an envelope, one goes at a time: one that is down, rate-limiting
            // or rejecting the key then costs the batch one envelope's attempts, not one per lane.
            await RunLaneAsync(0, batch, untilAccepting: true, cancellationToken).ConfigureAwait(false);

            var lanes = Math.Min(_lanes.Length, batch.Count - Volatile.Read(ref _nextIndex));
            if (lanes == 1)
            {
                await RunLaneAsync(0, batch, untilAccepting: false, cancellationToken).ConfigureAwait(false);
            }
            else if (lanes > 1)
            {
                var running = new Task[lanes];
                for (var lane = 0; lane < lanes; lane++)
                {
                    running[lane] = RunLaneAsync(lane, batch, untilAccepting: false, cancellationToken);
                }

                await Task.WhenAll(running).ConfigureAwait(false);
            }

            // What no lane handled (the batch stopped early) is dropped here, and a cancellation logged once.
            var rest = batch.Count - Volatile.Read(ref _handled);
            if ((Volatile.Read(ref _batchStop) & StoppedByCancellation) != 0 && rest > 0)
            {
                Cancelled(rest);
            }
            else
            {
                Drop(rest);
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
        lock (_stateLock)
        {
            var dropped = Interlocked.Read(ref _droppedSinceReport);
            if (_state != SentryTransportState.Healthy && dropped > 0)
            {
                SentryExportLog.StoppedWithDrops(_logger, _dsn.EnvelopeEndpoint, _state, dropped);
            }
        }

        // Only the client: an export still running must find its gate and lanes usable (its sends
        // then fail and are dropped), since nothing may escape ExportAsync.
        _client.Dispose();
    }

    /// <summary>
    /// How long an unreachable receiver is left alone after its <paramref name="failures"/>th failed probe (the
    /// first being the send that found it down): <see cref="SentryTransportOptions.FirstProbeWait"/>·2^(failures-1),
    /// at most <see cref="SentryTransportOptions.MaxBackoff"/>, scaled by 0.5–1 (equal jitter, so that the
    /// instances of a service that lost the receiver together do not probe in step).
    /// </summary>
    /// <param name="failures">1 for the send that found the receiver down.</param>
    /// <param name="random">A sample in [0, 1).</param>
    internal static TimeSpan ProbeWait(int failures, double random) =>
        TimeSpan.FromMilliseconds(DoublingCeiling(SentryTransportOptions.FirstProbeWait, failures) * (0.5 + (0.5 * Math.Clamp(random, 0, 1))));

    /// <summary>Full jitter: a uniformly random wait in [0, min(<see cref="SentryTransportOptions.MaxBackoff"/>, base·2^(retry-1))].</summary>
    /// <param name="retry">1 for the first retry.</param>
    /// <param name="baseDelay">The option's base delay.</param>
    /// <param name="random">A sample in [0, 1).</param>
    internal static TimeSpan Backoff(int retry, TimeSpan baseDelay, double random) =>
        TimeSpan.FromMilliseconds(DoublingCeiling(baseDelay, retry) * Math.Clamp(random, 0, 1));

    // first·2^(n-1) in milliseconds, at most MaxBackoff: the ceiling both waits draw below.
    private static double DoublingCeiling(TimeSpan first, int n) =>
        Math.Min(first.TotalMilliseconds * Math.Pow(2, Math.Clamp(n - 1, 0, 30)), SentryTransportOptions.MaxBackoff.TotalMilliseconds);

    // One lane's loop: take the next transaction of the batch until none is left or the batch stops; while
    // untilAccepting, also stop as soon as the receiver accepts (the batch then fans out).
    private async Task RunLaneAsync(int index, IReadOnlyList<SentryTransaction> batch, bool untilAccepting, CancellationToken cancellationToken)
    {
        var lane = _lanes[index] ??= new EnvelopeLane(index == 0 ? _writer : _writer.Fork());
        while (Volatile.Read(ref _batchStop) == 0 && !(untilAccepting && IsAccepting))
        {
            if (cancellationToken.IsCancellationRequested)
            {
                Stop(StoppedByCancellation);
                return;
            }

            var i = Interlocked.Increment(ref _nextIndex) - 1;

            // Another lane may have stopped the batch since the check above: the transaction is then left to
            // the rest, which ExportAsync drops.
            if (i >= batch.Count || Volatile.Read(ref _batchStop) != 0)
            {
                return;
            }

            var result = IsRateLimited ? Dropped()
                : !TryWrite(lane, batch[i]) ? SendResult.Continue
                : await SendAsync(lane, cancellationToken).ConfigureAwait(false);
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

    private void Stop(int reason) => Interlocked.Or(ref _batchStop, reason);

    // Another lane found the receiver down, or a rate limit arrived: a retry would be wasted or unwelcome.
    private bool ShouldAbandon() => (Volatile.Read(ref _batchStop) & StoppedByReceiverDown) != 0 || IsRateLimited;

    private SendResult Dropped()
    {
        Drop(1);
        return SendResult.Continue;
    }

    private bool TryWrite(EnvelopeLane lane, SentryTransaction transaction)
    {
        try
        {
            lane.Write(transaction, _options.GzipThresholdBytes);
            return true;
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // A tag whose ToString throws, for example: one bad transaction must not stop the exporter.
            SentryExportLog.WriteFailed(_logger, transaction.Root.DisplayName, exception);
            Drop(1);
            return false;
        }
    }

    private HttpRequestMessage CreateRequest(EnvelopeLane lane)
    {
        var content = new ReadOnlyMemoryContent(lane.Body);
        content.Headers.TryAddWithoutValidation("Content-Type", EnvelopeContentType);
        if (lane.IsGzipped)
        {
            content.Headers.TryAddWithoutValidation("Content-Encoding", "gzip");
        }

        var request = new HttpRequestMessage(HttpMethod.Post, _dsn.EnvelopeEndpoint) { Content = content };
        request.Headers.TryAddWithoutValidation(AuthHeader, _auth);
        request.Headers.TryAddWithoutValidation("User-Agent", _userAgent);
        return request;
    }

    private async Task<SendResult> SendAsync(EnvelopeLane lane, CancellationToken cancellationToken)
    {
        // While the receiver is known to be down, one attempt is enough to probe whether it is back.
        var maxAttempts = _state == SentryTransportState.Unreachable ? 1 : _options.MaxAttempts;
        var reason = string.Empty;
        for (var attempt = 1; attempt <= maxAttempts; attempt++)
        {
            var version = Volatile.Read(ref _stateVersion);
            using (var timeout = new CancellationTokenSource(_options.RequestTimeout, _time))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token))
            {
                try
                {
                    using var request = CreateRequest(lane);
                    using var response = await _client.SendAsync(request, linked.Token).ConfigureAwait(false);
                    var handled = OnResponse(response, lane, version);
                    if (handled is SendResult result)
                    {
                        return result;
                    }

                    reason = $"HTTP {(int)response.StatusCode}";
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return SendResult.Cancelled;
                }
                catch (OperationCanceledException)
                {
                    reason = $"no answer within {_options.RequestTimeout}";
                }
                catch (Exception exception)
                {
                    // HttpRequestException and IOException in practice; anything else a custom handler throws
                    // is treated the same, since nothing may escape ExportAsync.
                    reason = exception.Message;
                }
            }

            if (attempt < maxAttempts)
            {
                if (ShouldAbandon())
                {
                    return Dropped();
                }

                var delay = Backoff(attempt, _options.BaseBackoff, Random.Shared.NextDouble());
                SentryExportLog.Retrying(_logger, _dsn.EnvelopeEndpoint, attempt, maxAttempts, reason, delay);
                if (delay > TimeSpan.Zero)
                {
                    try
                    {
                        await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return SendResult.Cancelled;
                    }

                    if (ShouldAbandon())
                    {
                        return Dropped();
                    }
                }
            }
        }

        EnterUnreachable(reason);
        Drop(1);
        return SendResult.StopBatch;
    }

    // The outcome of an answer, or null when the answer is transient and worth another attempt. version is
    // the state version when the request was sent.
    private SendResult? OnResponse(HttpResponseMessage response, EnvelopeLane lane, int version)
    {
        var status = (int)response.StatusCode;
        var now = _time.GetUtcNow();
        var limit = SentryRateLimits.ForTransactions(status, HeaderValue(response, RateLimitsHeader), HeaderValue(response, RetryAfterHeader), now);
        var limited = limit > TimeSpan.Zero;
        DateTimeOffset? until = limited ? now + limit : null;

        if (status is >= 200 and < 300)
        {
            Interlocked.Increment(ref _delivered);
            if (limited)
            {
                EnterRateLimited(until);
            }
            else if (_state != SentryTransportState.Healthy)
            {
                Recover(version);
            }

            return SendResult.Continue;
        }

        if (limited || status == 429)
        {
            EnterRateLimited(until);
            Drop(1);
            return SendResult.Continue;
        }

        if (status == 413)
        {
            Drop(1);
            if (Interlocked.Exchange(ref _tooLargeLogged, 1) == 1)
            {
                SentryExportLog.TooLargeAgain(_logger, _dsn.EnvelopeEndpoint, lane.EnvelopeBytes);
            }
            else
            {
                SentryExportLog.TooLarge(_logger, _dsn.EnvelopeEndpoint, lane.EnvelopeBytes);
            }

            return SendResult.Continue;
        }

        if (status is 408 or >= 500)
        {
            return null;
        }

        EnterRejected(status);
        Drop(1);
        return SendResult.Continue;
    }

    // State changes take _stateLock and log inside it, so that concurrent lanes log each change once and in
    // the order the changes happened.
    private void EnterRateLimited(DateTimeOffset? until)
    {
        lock (_stateLock)
        {
            if (until is { } value)
            {
                Interlocked.Exchange(ref _rateLimitedUntilTicks, value.UtcTicks);
            }

            if (Enter(SentryTransportState.RateLimited))
            {
                SentryExportLog.RateLimited(_logger, _dsn.EnvelopeEndpoint, RateLimitedUntil);
            }
        }
    }

    private void EnterUnreachable(string reason)
    {
        lock (_stateLock)
        {
            var now = _time.GetUtcNow().UtcTicks;
            var entered = Enter(SentryTransportState.Unreachable);

            // Lanes in flight when the receiver went down fail together: only the first failure, and a probe
            // sent once the wait had passed, lengthen the wait.
            if (entered || now >= Interlocked.Read(ref _probeAtTicks))
            {
                _failedProbes = entered ? 1 : _failedProbes + 1;
                Interlocked.Exchange(ref _probeAtTicks, now + ProbeWait(_failedProbes, Random.Shared.NextDouble()).Ticks);
            }

            if (entered)
            {
                SentryExportLog.Unreachable(_logger, _dsn.EnvelopeEndpoint, reason);
            }
        }
    }

    private void EnterRejected(int status)
    {
        lock (_stateLock)
        {
            if (Enter(SentryTransportState.Rejected))
            {
                SentryExportLog.Rejected(_logger, _dsn.EnvelopeEndpoint, status);
            }
        }
    }

    private void Recover(int version)
    {
        lock (_stateLock)
        {
            // An answer to a request sent before the last change of state is old news (another lane's 200 that
            // was in flight when a 429 arrived, say): it must not undo what a newer answer taught.
            if (_state == SentryTransportState.Healthy || version != _stateVersion)
            {
                return;
            }

            SentryExportLog.Recovered(_logger, _dsn.EnvelopeEndpoint, Interlocked.Exchange(ref _droppedSinceReport, 0));
            _failedProbes = 0;
            Interlocked.Exchange(ref _probeAtTicks, 0);
            _state = SentryTransportState.Healthy;
            Interlocked.Increment(ref _stateVersion);
        }
    }

    // Under _stateLock. Whether the state changed; leaving Healthy starts a new count of drops for the report on recovery.
    private bool Enter(SentryTransportState state)
    {
        if (_state == state)
        {
            return false;
        }

        if (_state == SentryTransportState.Healthy)
        {
            Interlocked.Exchange(ref _droppedSinceReport, 0);
        }

        _state = state;
        Interlocked.Increment(ref _stateVersion);
        return true;
    }

    private static string? HeaderValue(HttpResponseMessage response, string name)
    {
        // NonValidated: the raw text, several values joined by ", ", without HttpClient's parsers in between.
        return response.Headers.NonValidated.TryGetValues(name, out var values) ? values.ToString() : null;
    }

    private void Drop(long count)
    {
        if (count <= 0)
        {
            return;
        }

        Interlocked.Add(ref _dropped, count);
        Interlocked.Add(ref _droppedSinceReport, count);
    }

    private void Cancelled(long count)
    {
        Drop(count);
        SentryExportLog.Cancelled(_logger, count);
    }
}
