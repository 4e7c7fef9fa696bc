using System.Net;

namespace TraceMiddleware.Http;

/// <summary>
/// The primary handler for the package's own calls to Sentry (the exporter and the browser tunnel): built
/// outside <c>IHttpClientFactory</c>, so no trace handler is added, and with no header propagator, so .NET
/// puts no DiagnosticsHandler (trace headers, an HttpRequestOut span) in the chain.
/// </summary>
internal static class UntracedHttpHandler
{
    public static SocketsHttpHandler Create() => new()
    {
        ActivityHeadersPropagator = null,

        // A redirect could point anywhere; these calls go only to the configured endpoints.
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,

        // Sentry's ingest hosts move; a pooled connection must not outlive a DNS change for long.
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
    };
}
