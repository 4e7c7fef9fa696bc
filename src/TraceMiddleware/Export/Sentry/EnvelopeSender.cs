using Microsoft.Extensions.Logging;

namespace TraceMiddleware.Export.Sentry;

/// <summary>
/// Sends one envelope: as many attempts as <see cref="SentryRetryPolicy"/> allows, with its backoff between
/// them, each bounded by <see cref="SentryTransportOptions.RequestTimeout"/>; and turns each answer into the
/// envelope's fate and the receiver's new state. Shared by the lanes; never throws.
/// </summary>
internal sealed class EnvelopeSender
{
    private readonly SentryTransport _transport;
    private readonly SentryReceiverState _receiver;
    private readonly SentryTransportOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private int _tooLargeLogged;

    public EnvelopeSender(SentryTransport transport, SentryReceiverState receiver, SentryTransportOptions options, ILogger logger, TimeProvider time)
    {
        _transport = transport;
        _receiver = receiver;
        _options = options;
        _logger = logger;
        _time = time;
    }

    /// <summary>Sends the last envelope written into <paramref name="lane"/>.</summary>
    /// <param name="lane">The lane holding the envelope.</param>
    /// <param name="shouldAbandon">Asked before each retry: whether the batch has learned that a retry would be wasted or unwelcome.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    public async Task<SendResult> SendAsync(EnvelopeLane lane, Func<bool> shouldAbandon, CancellationToken cancellationToken)
    {
        var maxAttempts = SentryRetryPolicy.Attempts(_options, _receiver.Current);
        var reason = string.Empty;
        for (var attempt = 1; attempt <= maxAttempts; attempt++)
        {
            var version = _receiver.Version;
            using (var timeout = new CancellationTokenSource(_options.RequestTimeout, _time))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token))
            {
                try
                {
                    var response = await _transport.PostAsync(lane, linked.Token).ConfigureAwait(false);
                    if (OnResponse(response, lane, version) is { } result)
                    {
                        return result;
                    }

                    reason = $"HTTP {response.StatusCode}";
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
                    // is treated the same, since nothing may escape the export.
                    reason = exception.Message;
                }
            }

            if (attempt < maxAttempts)
            {
                if (shouldAbandon())
                {
                    return Dropped();
                }

                var delay = SentryRetryPolicy.Backoff(attempt, _options.BaseBackoff, Random.Shared.NextDouble());
                SentryExportLog.Retrying(_logger, _transport.Endpoint, attempt, maxAttempts, reason, delay);
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

                    if (shouldAbandon())
                    {
                        return Dropped();
                    }
                }
            }
        }

        _receiver.EnterUnreachable(reason);
        _receiver.Drop(1);
        return SendResult.StopBatch;
    }

    // The outcome of an answer, or null when the answer is transient and worth another attempt. version is
    // the receiver state's version when the request was sent.
    private SendResult? OnResponse(SentryResponse response, EnvelopeLane lane, int version)
    {
        var now = _time.GetUtcNow();
        var limit = response.TransactionRateLimit(now);
        DateTimeOffset? until = limit > TimeSpan.Zero ? now + limit : null;
        switch (response.Kind(limit))
        {
            case SentryResponseKind.Accepted:
                _receiver.OnAccepted(until, version);
                return SendResult.Continue;

            case SentryResponseKind.RateLimited:
                _receiver.EnterRateLimited(until);
                return Dropped();

            case SentryResponseKind.TooLarge:
                _receiver.Drop(1);
                if (Interlocked.Exchange(ref _tooLargeLogged, 1) == 1)
                {
                    SentryExportLog.TooLargeAgain(_logger, _transport.Endpoint, lane.EnvelopeBytes);
                }
                else
                {
                    SentryExportLog.TooLarge(_logger, _transport.Endpoint, lane.EnvelopeBytes);
                }

                return SendResult.Continue;

            case SentryResponseKind.Transient:
                return null;

            default:
                _receiver.EnterRejected(response.StatusCode);
                return Dropped();
        }
    }

    private SendResult Dropped()
    {
        _receiver.Drop(1);
        return SendResult.Continue;
    }
}
