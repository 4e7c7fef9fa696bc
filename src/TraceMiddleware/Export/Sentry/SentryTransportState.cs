namespace TraceMiddleware.Export.Sentry;

/// <summary>What the exporter last learned about its receiver; each change is logged once.</summary>
internal enum SentryTransportState
{
    /// <summary>The last envelope was accepted (or nothing was sent yet).</summary>
    Healthy,

    /// <summary>Attempts failed with network errors, timeouts, 408 or 5xx until the attempts ran out.</summary>
    Unreachable,

    /// <summary>The receiver asked us to stop sending transactions for a while.</summary>
    RateLimited,

    /// <summary>The receiver answered with a 4xx that no retry fixes (a wrong DSN key, for example).</summary>
    Rejected,
}
