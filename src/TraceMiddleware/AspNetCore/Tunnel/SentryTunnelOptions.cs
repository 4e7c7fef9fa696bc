namespace TraceMiddleware.AspNetCore.Tunnel;

/// <summary>
/// Settings of the endpoint <c>app.MapSentryTunnel("/monitoring")</c>, bound from the <c>Tracing:Tunnel</c>
/// configuration section, then changed by the delegate given to <c>MapSentryTunnel</c>. Invalid values stop
/// start-up with the key and the reason.
/// </summary>
public sealed class SentryTunnelOptions
{
    /// <summary>The default <see cref="MaxBodySize"/>: 1 MiB.</summary>
    internal const long DefaultMaxBodySize = 1024 * 1024;

    /// <summary>The largest <see cref="MaxBodySize"/> accepted: 100 MiB, Sentry's own limit for an envelope.</summary>
    internal const long MaxBodySizeLimit = 100 * 1024 * 1024;

    /// <summary>The default <see cref="MaxBufferedBytes"/>: 16 MiB.</summary>
    internal const long DefaultMaxBufferedBytes = 16 * 1024 * 1024;

    /// <summary>The longest <see cref="Timeout"/> and <see cref="RequestBodyTimeout"/> accepted: 5 minutes.</summary>
    internal static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(5);

    /// <summary>
    /// More DSNs envelopes may be forwarded to, besides the configured <c>Tracing:Dsn</c> (which is always
    /// allowed): for example the DSN of the browser's own Sentry project. An envelope is forwarded when its
    /// DSN has the same scheme, host, port, path prefix and project id as one of them; anything else is
    /// refused with 400 and nothing is fetched.
    /// </summary>
    public IList<string> AllowedDsns { get; set; } = [];

    /// <summary>The largest request body, in bytes, as sent (compressed when it is). Past it: 413. Default 1 MiB.</summary>
    public long MaxBodySize { get; set; } = DefaultMaxBodySize;

    /// <summary>How long to wait for Sentry to answer; past it the browser gets 504. Default 10 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a request's whole body may take to arrive, from the moment the tunnel starts reading it; past
    /// it the browser gets 408, the body read so far is let go and the connection is closed. Default 10 seconds.
    /// </summary>
    public TimeSpan RequestBodyTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The most request-body bytes all requests to the tunnel may hold at once, each counted by its
    /// <c>Content-Length</c> (<see cref="MaxBodySize"/> for a body sent without one) from before its body is
    /// read until it is forwarded. A request that does not fit gets 503 with <c>Retry-After</c>, unread. At
    /// least <see cref="MaxBodySize"/>. Default 16 MiB: sixteen bodies of the default largest size, or
    /// thousands of ordinary browser envelopes of a few kilobytes.
    /// </summary>
    public long MaxBufferedBytes { get; set; } = DefaultMaxBufferedBytes;

    internal List<string> ConfigurationErrors { get; } = [];
}
