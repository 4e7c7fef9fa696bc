using Microsoft.Extensions.Logging;
using TraceMiddleware.Export.Sentry;

namespace TraceMiddleware.Export.Spotlight;

/// <summary>
/// Creates the Spotlight exporter when the <c>Spotlight</c> option (or <c>SENTRY_SPOTLIGHT</c>) asks for it: the
/// Sentry exporter, with its transport pointed at Spotlight's URL, as a singleton the container disposes.
/// </summary>
/// <remarks>
/// Spotlight takes envelopes as Sentry does (POST, <c>application/x-sentry-envelope</c>, gzip), and reads no
/// <c>X-Sentry-Auth</c>, so none is sent. A sidecar that is not running is found down once and logged once
/// (event 3001, with its URL), then probed with growing waits, as a Sentry receiver would be.
/// </remarks>
internal sealed class SpotlightExporterOwner : IDisposable
{
    public const string LoggerCategory = "TraceMiddleware.Spotlight";

    /// <param name="url">Spotlight's URL, or null when it is off.</param>
    /// <param name="loggerFactory">For the exporter's logger.</param>
    /// <param name="time">The host's clock; the system clock when null.</param>
    public SpotlightExporterOwner(Uri? url, ILoggerFactory loggerFactory, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        Url = url;
        if (url is not null)
        {
            Exporter = new SentryTraceExporter(new SentryTransport(url, publicKey: null, handler: null), new SentryTransportOptions(), loggerFactory.CreateLogger(LoggerCategory), time ?? TimeProvider.System)
            {
                IsSpotlight = true,
            };
        }
    }

    /// <summary>Spotlight's URL, or null when it is off.</summary>
    public Uri? Url { get; }

    /// <summary>The exporter, or <see langword="null"/> when Spotlight is off.</summary>
    public SentryTraceExporter? Exporter { get; }

    public void Dispose() => Exporter?.Dispose();
}
