using Microsoft.Extensions.Logging;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.Export;

/// <summary>
/// Runs the app's <c>BeforeSendTransaction</c> on a batch, on the export loop, before any exporter sees it: each
/// transaction comes back changed or not, or is dropped (<see langword="null"/>, or an exception, said once).
/// </summary>
internal sealed class BeforeSendHook
{
    private readonly Func<SentryTransaction, SentryTransaction?> _hook;
    private readonly ILogger _logger;
    private long _dropped;
    private long _failed;

    public BeforeSendHook(Func<SentryTransaction, SentryTransaction?> hook, ILogger logger)
    {
        _hook = hook;
        _logger = logger;
    }

    /// <summary>Transactions the hook dropped by returning <see langword="null"/>.</summary>
    public long DroppedCount => Interlocked.Read(ref _dropped);

    /// <summary>Transactions dropped because the hook threw.</summary>
    public long FailedCount => Interlocked.Read(ref _failed);

    public SentryTransaction[] Apply(SentryTransaction[] batch)
    {
        var kept = 0;
        for (var i = 0; i < batch.Length; i++)
        {
            SentryTransaction? result;
            try
            {
                result = _hook(batch[i]);
            }
            catch (Exception exception)
            {
                if (Interlocked.Increment(ref _failed) == 1)
                {
                    ExportLog.BeforeSendFailed(_logger, batch[i].Name, exception);
                }

                continue;
            }

            if (result is null)
            {
                Interlocked.Increment(ref _dropped);
                continue;
            }

            batch[kept++] = result;
        }

        return kept == batch.Length ? batch : batch[..kept];
    }
}
