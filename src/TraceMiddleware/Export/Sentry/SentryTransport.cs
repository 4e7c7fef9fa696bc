using TraceMiddleware.Configuration;
using TraceMiddleware.Http;

namespace TraceMiddleware.Export.Sentry;

/// <summary>
/// The HTTP side of the exporter: one envelope becomes one POST to the DSN's envelope endpoint (content type,
/// gzip, <c>X-Sentry-Auth</c>, <c>User-Agent</c>), and the answer becomes a <see cref="SentryResponse"/>: its
/// status and Sentry's headers, never its body.
/// </summary>
/// <remarks>
/// Its HttpClient is its own, built on a <see cref="SocketsHttpHandler"/> without an
/// <see cref="SocketsHttpHandler.ActivityHeadersPropagator"/>: .NET then adds no DiagnosticsHandler, so the
/// envelope POST carries no <c>traceparent</c>/<c>baggage</c> and starts no <c>System.Net.Http</c> activity. It
/// is never an <c>IHttpClientFactory</c> client, whose handlers would propagate and trace it.
/// </remarks>
internal sealed class SentryTransport : IDisposable
{
    private readonly HttpClient _client;
    private readonly string? _auth;
    private readonly string _userAgent;

    /// <summary>Creates the transport for <paramref name="dsn"/>.</summary>
    /// <param name="dsn">Where to send, and the key to authenticate with.</param>
    /// <param name="handler">
    /// The primary handler, for tests; null builds the exporter's own <see cref="SocketsHttpHandler"/> with no
    /// header propagator. A handler given here is not disposed by the transport.
    /// </param>
    public SentryTransport(SentryDsn dsn, HttpMessageHandler? handler)
        : this((dsn ?? throw new ArgumentNullException(nameof(dsn))).EnvelopeEndpoint, dsn.PublicKey, handler)
    {
    }

    /// <summary>Creates a transport to an envelope endpoint that is not a DSN's, such as Spotlight's.</summary>
    /// <param name="endpoint">Where envelopes are posted.</param>
    /// <param name="publicKey">The key for <c>X-Sentry-Auth</c>; none is sent when null (Spotlight reads none).</param>
    /// <param name="handler">As for the DSN's transport.</param>
    public SentryTransport(Uri endpoint, string? publicKey, HttpMessageHandler? handler)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        Endpoint = endpoint;
        _client = handler is null
            ? new HttpClient(UntracedHttpHandler.Create(), disposeHandler: true)
            : new HttpClient(handler, disposeHandler: false);
        _client.Timeout = Timeout.InfiniteTimeSpan;
        _auth = publicKey is null ? null : $"Sentry sentry_version={SentryProtocol.Version}, sentry_client={SentrySdkInfo.Name}/{SentrySdkInfo.Version}, sentry_key={publicKey}";
        _userAgent = $"{SentrySdkInfo.Name}/{SentrySdkInfo.Version}";
    }

    /// <summary>Where envelopes are posted: the DSN's envelope endpoint, or Spotlight's URL.</summary>
    public Uri Endpoint { get; }

    /// <summary>Posts the last envelope written into <paramref name="lane"/> and reads the answer.</summary>
    /// <param name="lane">The lane whose <see cref="EnvelopeLane.Body"/> is sent.</param>
    /// <param name="cancellationToken">Ends the attempt (a timeout, or the caller's cancellation).</param>
    /// <returns>The status and Sentry's headers of the answer.</returns>
    /// <exception cref="HttpRequestException">The receiver could not be reached, or the connection broke.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<SentryResponse> PostAsync(EnvelopeLane lane, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lane);
        return PostAsync(lane.Body, lane.IsGzipped ? "gzip" : null, cancellationToken);
    }

    /// <summary>Posts an envelope that is already written (the browser's, which the tunnel copies to Spotlight) and reads the answer.</summary>
    /// <param name="body">The envelope, as sent.</param>
    /// <param name="contentEncoding">Its <c>Content-Encoding</c>, or null.</param>
    /// <param name="cancellationToken">Ends the attempt.</param>
    /// <returns>The status and Sentry's headers of the answer.</returns>
    /// <exception cref="HttpRequestException">The receiver could not be reached, or the connection broke.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<SentryResponse> PostAsync(ReadOnlyMemory<byte> body, string? contentEncoding, CancellationToken cancellationToken)
    {
        using var request = CreateRequest(body, contentEncoding);

        // Headers only: HttpClient's default would read the whole body into memory first, and a receiver (or a
        // proxy in front of it) could answer with any amount. Nothing Sentry defines is in the body; disposing
        // the unread answer lets the handler drain a little of it to reuse the connection, or close it.
        using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        return SentryResponse.Read(response);
    }

    /// <summary>Disposes the HttpClient; later posts fail with <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose() => _client.Dispose();

    private HttpRequestMessage CreateRequest(ReadOnlyMemory<byte> body, string? contentEncoding)
    {
        var content = new ReadOnlyMemoryContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", SentryProtocol.EnvelopeContentType);
        if (contentEncoding is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Encoding", contentEncoding);
        }

        var request = new HttpRequestMessage(HttpMethod.Post, Endpoint) { Content = content };
        if (_auth is not null)
        {
            request.Headers.TryAddWithoutValidation(SentryProtocol.AuthHeader, _auth);
        }

        request.Headers.TryAddWithoutValidation("User-Agent", _userAgent);
        return request;
    }
}
