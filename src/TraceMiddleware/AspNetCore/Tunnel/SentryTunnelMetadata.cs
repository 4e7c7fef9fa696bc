namespace TraceMiddleware.AspNetCore.Tunnel;

/// <summary>
/// Endpoint metadata of a Sentry tunnel: the tracing middleware, when it runs after routing, sees it and
/// leaves the request untraced (an envelope about spans must not make a span of its own).
/// </summary>
internal sealed class SentryTunnelMetadata
{
    public static readonly SentryTunnelMetadata Instance = new();

    private SentryTunnelMetadata()
    {
    }
}
