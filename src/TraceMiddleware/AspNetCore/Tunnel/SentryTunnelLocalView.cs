using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using TraceMiddleware.Export.Console;
using TraceMiddleware.Export.Sentry;

namespace TraceMiddleware.AspNetCore.Tunnel;

/// <summary>
/// What the tunnel does with the browser's envelopes for the developer's own eyes, besides forwarding them: in
/// Development, the transaction joins its trace's console tree; with Spotlight on, each envelope is copied there;
/// and in Development with no DSN to forward to, envelopes are received here and answered 200.
/// </summary>
/// <remarks>
/// The copy to Spotlight goes through the Sentry exporter's transport (no trace header, no span) and may take
/// at most <see cref="SpotlightTimeout"/>; a Spotlight that is not running costs the browser a refused local
/// connection, and is logged at debug level only (the Spotlight exporter already says it is down).
/// </remarks>
internal sealed class SentryTunnelLocalView : IDisposable
{
    /// <summary>The longest the copy to Spotlight (a local process) may hold up the browser's answer.</summary>
    public static readonly TimeSpan SpotlightTimeout = TimeSpan.FromSeconds(2);

    private readonly ConsoleTraceExporter? _console;
    private readonly SentryTransport? _spotlight;
    private readonly ILogger _logger;

    /// <param name="console">The host's console exporter, when the browser's spans are to join its trees.</param>
    /// <param name="spotlight">Spotlight's URL, when envelopes are copied there.</param>
    /// <param name="receivesLocally">Whether envelopes that no DSN takes are received here.</param>
    /// <param name="logger">The package's logger.</param>
    /// <param name="handler">The handler of the copies to Spotlight, for tests; the exporter's own when null.</param>
    public SentryTunnelLocalView(ConsoleTraceExporter? console, Uri? spotlight, bool receivesLocally, ILogger logger, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(logger);
        _console = console;
        _spotlight = spotlight is null ? null : new SentryTransport(spotlight, publicKey: null, handler);
        _logger = logger;
        ReceivesLocally = receivesLocally;
    }

    /// <summary>Whether envelopes that no DSN takes are received here (Development, nothing to forward to).</summary>
    public bool ReceivesLocally { get; }

    /// <summary>What the browser's envelopes go to, in words, for the log.</summary>
    public string Describe() => (_console, _spotlight) switch
    {
        (not null, not null) => $"the console tree and Spotlight ({_spotlight.Endpoint})",
        (not null, null) => "the console tree",
        (null, not null) => $"Spotlight ({_spotlight.Endpoint})",
        _ => "nothing",
    };

    /// <summary>Shows one envelope the tunnel received: its transaction in the console tree, a copy in Spotlight.</summary>
    /// <param name="path">The tunnel's path, for logs.</param>
    /// <param name="body">The buffer holding the envelope as sent.</param>
    /// <param name="length">The envelope's length in <paramref name="body"/>.</param>
    /// <param name="coding">Its content coding: only an uncompressed body is read for the console.</param>
    /// <param name="contentEncoding">Its <c>Content-Encoding</c> header, passed on to Spotlight.</param>
    /// <param name="aborted">The browser's request aborted.</param>
    public async Task ShowAsync(string path, byte[] body, int length, ContentCoding coding, StringValues contentEncoding, CancellationToken aborted)
    {
        if (_console is not null && coding == ContentCoding.Identity && BrowserTransactionReader.TryRead(body.AsSpan(0, length), out var root))
        {
            _console.TryJoin(root);
        }

        if (_spotlight is null)
        {
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        timeout.CancelAfter(SpotlightTimeout);
        try
        {
            await _spotlight.PostAsync(body.AsMemory(0, length), contentEncoding.Count > 0 ? contentEncoding.ToString() : null, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
        {
            SentryTunnelLog.SpotlightCopyFailed(_logger, path, _spotlight.Endpoint, $"no answer within {SpotlightTimeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException e)
        {
            SentryTunnelLog.SpotlightCopyFailed(_logger, path, _spotlight.Endpoint, e.HttpRequestError.ToString());
        }
    }

    public void Dispose() => _spotlight?.Dispose();
}
