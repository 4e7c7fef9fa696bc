using System.Buffers;
using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using Microsoft.Extensions.Logging;

namespace TraceMiddleware.Export.Sentry;

/// <summary>
/// Sends each transaction as one Sentry envelope to the DSN's envelope endpoint (PROTOCOL.md §8):
/// gzip over a threshold, rate limits honoured, transient failures retried with backoff and full jitter,
/// a bounded number of times, then dropped. Never throws out of <see cref="ExportAsync"/>; logs each
/// change of state once.
/// </summary>
/// <remarks>
/// Its HttpClient is its own, built on a <see cref="SocketsHttpHandler"/> without an
/// <see cref="SocketsHttpHandler.ActivityHeadersPropagator"/>: .NET then adds no DiagnosticsHandler, so the
/// envelope POST carries no <c>traceparent</c>/<c>baggage</c> and starts no <c>System.Net.Http</c> activity. It
/// is never an <c>IHttpClientFactory</c> client, whose handlers would propagate and trace it. Sends run
/// with <see cref="Activity.Current"/> cleared, so nothing exporting a span becomes a span itself.
/// </remarks>
internal sealed class SentryTraceExporter : ITraceExporter, IDisposable
{
    /// <summary>The media type Spotlight requires (it ignores envelopes without it).</summary>
    public const string EnvelopeContentType = "application/x-sentry-envelope";

    /// <summary>The Sentry protocol version in <c>X-Sentry-Auth</c>.</summary>
    public const int SentryProtocolVersion = 7;

    private const string AuthHeader = "X-Sentry-Auth";
    private const string RateLimitsHeader = "X-Sentry-Rate-Limits";
    private const string RetryAfterHeader = "Retry-After";
    private const int InitialBufferBytes = 16 * 1024;

    // A rare huge envelope must not pin its buffer for the life of the process.
    private const int MaxRetainedBufferBytes = 1024 * 1024;

    private readonly SentryDsn _dsn;
    private readonly SentryTransportOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly HttpClient _client;
    private readonly EnvelopeWriter _writer;
    private readonly string _auth;
    private readonly string _userAgent;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly MemoryStream _compressed = new();
    private ArrayBufferWriter<byte> _envelope = new(InitialBufferBytes);

    private SentryTransportState _state = SentryTransportState.Healthy;
    private DateTimeOffset _rateLimitedUntil = DateTimeOffset.MinValue;
    private long _droppedSinceReport;
    private long _delivered;
    private long _dropped;
    private bool _tooLargeLogged;
    private bool _disposed;

    /// <summary>Creates the exporter.</summary>
    /// <param name="dsn">Where to send.</param>
    /// <param name="options">Timeouts, retries, gzip.</param>
    /// <param name="handler">
    /// The primary handler, for tests; null builds the exporter's own <see cref="SocketsHttpHandler"/> with no
    /// header propagator. A handler given here is not disposed by the exporter.
    /// </param>
    /// <param name="logger">Where state changes are logged.</param>
    /// <param name="time">The clock for rate limits, timeouts, backoff and <c>sent_at</c>; the system clock when null.</param>
    /// <param name="writer">The envelope writer; tests pass one with a fixed event id.</param>
    public SentryTraceExporter(SentryDsn dsn, SentryTransportOptions options, HttpMessageHandler? handler, ILogger logger, TimeProvider? time, EnvelopeWriter? writer = null)
    {
        ArgumentNullException.ThrowIfNull(dsn);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxAttempts, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.GzipThresholdBytes, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BaseBackoff, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.RequestTimeout, TimeSpan.Zero);
        _dsn = dsn;
        _options = options;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _writer = writer ?? new EnvelopeWriter(_time);
        _client = handler is null
            ? new HttpClient(CreateHandler(), disposeHandler: true)
            : new HttpClient(handler, disposeHandler: false);
        _client.Timeout = Timeout.InfiniteTimeSpan;
        _auth = $"Sentry sentry_version={SentryProtocolVersion}, sentry_client={SentrySdkInfo.Name}/{SentrySdkInfo.Version}, sentry_key={dsn.PublicKey}";
        _userAgent = $"{SentrySdkInfo.Name}/{SentrySdkInfo.Version}";
    }

    /// <summary>What the exporter last learned about the receiver.</summary>
    internal SentryTransportState State => _state;

    /// <summary>Until when transactions are dropped without sending.</summary>
    internal DateTimeOffset RateLimitedUntil => _rateLimitedUntil;

    /// <summary>Transactions the receiver accepted.</summary>
    internal long DeliveredCount => Interlocked.Read(ref _delivered);

    /// <summary>Transactions dropped for any reason.</summary>
    internal long DroppedCount => Interlocked.Read(ref _dropped);

    /// <inheritdoc />
    public async Task ExportAsync(IReadOnlyList<SentryTransaction> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);

        // An async method restores the caller's ExecutionContext when it returns, so this clears the span
        // for our sends only.
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
            if (_disposed)
            {
                Drop(batch.Count);
                return;
            }

            for (var i = 0; i < batch.Count; i++)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    Cancelled(batch.Count - i);
                    return;
                }

                if (_time.GetUtcNow() < _rateLimitedUntil)
                {
                    Drop(1);
                    continue;
                }

                if (!TryWrite(batch[i]))
                {
                    continue;
                }

                var result = await SendAsync(cancellationToken).ConfigureAwait(false);
                if (result == SendResult.StopBatch)
                {
                    // The receiver is down: the rest of this batch would wait out the same timeouts.
                    Drop(batch.Count - i - 1);
                    return;
                }

                if (result == SendResult.Cancelled)
                {
                    Cancelled(batch.Count - i);
                    return;
                }
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
        if (_state != SentryTransportState.Healthy && _droppedSinceReport > 0)
        {
            SentryExportLog.StoppedWithDrops(_logger, _dsn.EnvelopeEndpoint, _state, _droppedSinceReport);
        }

        // Only the client: an export still running must find its gate and buffers usable (its sends
        // then fail and are dropped), since nothing may escape ExportAsync.
        _client.Dispose();
    }

    /// <summary>Full jitter: a uniformly random wait in [0, min(<see cref="SentryTransportOptions.MaxBackoff"/>, base·2^(retry-1))].</summary>
    /// <param name="retry">1 for the first retry.</param>
    /// <param name="baseDelay">The option's base delay.</param>
    /// <param name="random">A sample in [0, 1).</param>
    internal static TimeSpan Backoff(int retry, TimeSpan baseDelay, double random)
    {
        var ceiling = baseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(retry - 1, 30));
        ceiling = Math.Min(ceiling, SentryTransportOptions.MaxBackoff.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ceiling * Math.Clamp(random, 0, 1));
    }

    private static SocketsHttpHandler CreateHandler() => new()
    {
        ActivityHeadersPropagator = null,
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,

        // Sentry's ingest hosts move; a pooled connection must not outlive a DNS change for long.
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
    };

    private bool TryWrite(SentryTransaction transaction)
    {
        if (_envelope.Capacity > MaxRetainedBufferBytes)
        {
            _envelope = new ArrayBufferWriter<byte>(InitialBufferBytes);
        }

        _envelope.ResetWrittenCount();
        try
        {
            _writer.Write(transaction, _envelope);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // A tag whose ToString throws, for example: one bad transaction must not stop the exporter.
            SentryExportLog.WriteFailed(_logger, transaction.Root.DisplayName, exception);
            Drop(1);
            return false;
        }

        if (_envelope.WrittenCount > _options.GzipThresholdBytes)
        {
            _compressed.SetLength(0);
            using (var gzip = new GZipStream(_compressed, CompressionLevel.Fastest, leaveOpen: true))
            {
                gzip.Write(_envelope.WrittenSpan);
            }
        }

        return true;
    }

    private HttpRequestMessage CreateRequest()
    {
        var gzipped = _envelope.WrittenCount > _options.GzipThresholdBytes;
        var body = gzipped ? _compressed.GetBuffer().AsMemory(0, (int)_compressed.Length) : _envelope.WrittenMemory;
        var content = new ReadOnlyMemoryContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", EnvelopeContentType);
        if (gzipped)
        {
            content.Headers.TryAddWithoutValidation("Content-Encoding", "gzip");
        }

        var request = new HttpRequestMessage(HttpMethod.Post, _dsn.EnvelopeEndpoint) { Content = content };
        request.Headers.TryAddWithoutValidation(AuthHeader, _auth);
        request.Headers.TryAddWithoutValidation("User-Agent", _userAgent);
        return request;
    }

    private async Task<SendResult> SendAsync(CancellationToken cancellationToken)
    {
        // While the receiver is known to be down, one probe per batch is enough to notice it is back.
        var maxAttempts = _state == SentryTransportState.Unreachable ? 1 : _options.MaxAttempts;
        var reason = string.Empty;
        for (var attempt = 1; attempt <= maxAttempts; attempt++)
        {
            using (var timeout = new CancellationTokenSource(_options.RequestTimeout, _time))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token))
            {
                try
                {
                    using var request = CreateRequest();
                    using var response = await _client.SendAsync(request, linked.Token).ConfigureAwait(false);
                    var handled = OnResponse(response);
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
                }
            }
        }

        if (Enter(SentryTransportState.Unreachable))
        {
            SentryExportLog.Unreachable(_logger, _dsn.EnvelopeEndpoint, reason);
        }

        Drop(1);
        return SendResult.StopBatch;
    }

    // The outcome of an answer, or null when the answer is transient and worth another attempt.
    private SendResult? OnResponse(HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        var now = _time.GetUtcNow();
        var limit = SentryRateLimits.ForTransactions(status, HeaderValue(response, RateLimitsHeader), HeaderValue(response, RetryAfterHeader), now);
        var limited = limit > TimeSpan.Zero;
        if (limited)
        {
            _rateLimitedUntil = now + limit;
        }

        if (status is >= 200 and < 300)
        {
            Interlocked.Increment(ref _delivered);
            if (limited)
            {
                EnterRateLimited();
            }
            else if (_state != SentryTransportState.Healthy)
            {
                SentryExportLog.Recovered(_logger, _dsn.EnvelopeEndpoint, _droppedSinceReport);
                _droppedSinceReport = 0;
                _state = SentryTransportState.Healthy;
            }

            return SendResult.Continue;
        }

        if (limited || status == 429)
        {
            EnterRateLimited();
            Drop(1);
            return SendResult.Continue;
        }

        if (status == 413)
        {
            Drop(1);
            if (_tooLargeLogged)
            {
                SentryExportLog.TooLargeAgain(_logger, _dsn.EnvelopeEndpoint, _envelope.WrittenCount);
            }
            else
            {
                _tooLargeLogged = true;
                SentryExportLog.TooLarge(_logger, _dsn.EnvelopeEndpoint, _envelope.WrittenCount);
            }

            return SendResult.Continue;
        }

        if (status is 408 or >= 500)
        {
            return null;
        }

        if (Enter(SentryTransportState.Rejected))
        {
            SentryExportLog.Rejected(_logger, _dsn.EnvelopeEndpoint, status);
        }

        Drop(1);
        return SendResult.Continue;
    }

    private void EnterRateLimited()
    {
        if (Enter(SentryTransportState.RateLimited))
        {
            SentryExportLog.RateLimited(_logger, _dsn.EnvelopeEndpoint, _rateLimitedUntil);
        }
    }

    // Whether the state changed; leaving Healthy starts a new count of drops for the report on recovery.
    private bool Enter(SentryTransportState state)
    {
        if (_state == state)
        {
            return false;
        }

        if (_state == SentryTransportState.Healthy)
        {
            _droppedSinceReport = 0;
        }

        _state = state;
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
        _droppedSinceReport += count;
    }

    private void Cancelled(long count)
    {
        Drop(count);
        SentryExportLog.Cancelled(_logger, count);
    }
}
