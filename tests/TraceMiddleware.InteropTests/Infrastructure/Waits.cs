namespace TraceMiddleware.InteropTests.Infrastructure;

/// <summary>
/// How long a test waits for a peer. Generous, because two cores are shared by parallel tests, node
/// start-ups and Chromium; bounded, so that a broken peer fails the test instead of hanging it.
/// </summary>
public static class Waits
{
    /// <summary>A node script's answer, an SDK's envelope, a span of ours.</summary>
    public static readonly TimeSpan Peer = TimeSpan.FromSeconds(60);

    /// <summary>One step of the browser: start and load a page, click and see the outcome.</summary>
    public static readonly TimeSpan Browser = TimeSpan.FromSeconds(90);

    /// <summary>A process asked to stop.</summary>
    public static readonly TimeSpan Exit = TimeSpan.FromSeconds(15);
}
