using System.Text.Json;

namespace TraceMiddleware.InteropTests.Infrastructure;

/// <summary>
/// Headless Debian Chromium on one page, driven by tests/js/browser-order.mjs (playwright-core with the
/// system executable). Disposing closes the browser; a hung one is killed with its node driver.
/// </summary>
public sealed class BrowserSession : IAsyncDisposable
{
    private readonly NodeProcess _node;

    private BrowserSession(NodeProcess node, string? sentryTrace, string? baggage, string? serverTiming)
    {
        _node = node;
        MetaSentryTrace = sentryTrace;
        MetaBaggage = baggage;
        ServerTiming = serverTiming;
    }

    /// <summary>The page response's <c>Server-Timing</c> header, as the browser received it.</summary>
    public string? ServerTiming { get; }

    /// <summary>The page's <c>&lt;meta name="sentry-trace"&gt;</c> content.</summary>
    public string? MetaSentryTrace { get; }

    /// <summary>The page's <c>&lt;meta name="baggage"&gt;</c> content.</summary>
    public string? MetaBaggage { get; }

    public string Diagnostics => _node.Stderr;

    /// <summary>Opens <paramref name="url"/> and waits until its script is ready.</summary>
    public static async Task<BrowserSession> OpenAsync(Uri url)
    {
        var chromium = JsPeers.Chromium;
        var node = NodeProcess.Start(
            "browser-order.mjs",
            [url.ToString()],
            new Dictionary<string, string>
            {
                ["CHROMIUM_PATH"] = chromium,
                ["BROWSER_STEP_TIMEOUT_MS"] = ((int)Waits.Browser.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
            instrument: false);
        try
        {
            var loaded = await node.ReadMessageAsync("the loaded page", Waits.Browser + Waits.Exit);
            return new BrowserSession(node, Text(loaded, "sentryTrace"), Text(loaded, "baggage"), Text(loaded, "serverTiming"));
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>Presses "Place order" and returns what the page then shows (<c>done</c> or <c>failed</c>, and the text).</summary>
    public async Task<(string State, string Text)> PlaceOrderAsync()
    {
        await _node.SendAsync("click");
        var ordered = await _node.ReadMessageAsync("the order's outcome", Waits.Browser + Waits.Exit);
        return (Text(ordered, "state") ?? "?", Text(ordered, "text") ?? string.Empty);
    }

    /// <summary>From the page, posts an envelope whose header names <paramref name="dsn"/> to the page's tunnel; returns the HTTP status.</summary>
    public async Task<int> PostForgedEnvelopeAsync(string dsn)
    {
        await _node.SendAsync("forge " + dsn);
        var forged = await _node.ReadMessageAsync("the tunnel's answer", Waits.Browser + Waits.Exit);
        return forged.GetProperty("status").GetInt32();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _node.SendAsync("close");
            await _node.WaitForExitAsync(Waits.Exit);
        }
        catch (Exception exception) when (exception is IOException or InvalidOperationException)
        {
            // Already gone, or hung: killed below.
        }

        await _node.DisposeAsync();
    }

    private static string? Text(JsonElement message, string name) =>
        message.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
