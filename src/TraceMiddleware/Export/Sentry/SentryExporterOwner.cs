using Microsoft.Extensions.Logging;
using TraceMiddleware.Configuration;

namespace TraceMiddleware.Export.Sentry;

/// <summary>
/// Creates the Sentry exporter when a DSN is set, as a singleton the container disposes (it owns an
/// HttpClient of its own, which must never go through IHttpClientFactory and its trace handler).
/// </summary>
internal sealed class SentryExporterOwner : IDisposable
{
    /// <param name="dsn">The host's DSN.</param>
    /// <param name="loggerFactory">For the exporter's logger.</param>
    /// <param name="time">The host's clock (a <see cref="TimeProvider"/> in the container); the system clock when null.</param>
    public SentryExporterOwner(ConfiguredSentryDsn dsn, ILoggerFactory loggerFactory, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(dsn);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        if (dsn.Value is { } value)
        {
            Exporter = new SentryTraceExporter(value, new SentryTransportOptions(), handler: null, loggerFactory.CreateLogger("TraceMiddleware.Sentry"), time ?? TimeProvider.System);
        }
    }

    /// <summary>The exporter, or <see langword="null"/> when there is no DSN.</summary>
    public SentryTraceExporter? Exporter { get; }

    public void Dispose() => Exporter?.Dispose();
}
