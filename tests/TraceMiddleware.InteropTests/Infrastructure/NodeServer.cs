namespace TraceMiddleware.InteropTests.Infrastructure;

/// <summary>
/// tests/js/node-server.mjs: an http server instrumented by @sentry/node, which continues the trace of each
/// request in its http.server span, sends that transaction to its DSN, and answers with what it received
/// (<see cref="NodeServerAnswer"/>).
/// </summary>
public sealed class NodeServer : IAsyncDisposable
{
    private readonly NodeProcess _node;

    private NodeServer(NodeProcess node, Uri baseAddress)
    {
        _node = node;
        BaseAddress = baseAddress;
    }

    /// <summary>http://127.0.0.1:PORT/</summary>
    public Uri BaseAddress { get; }

    public static async Task<NodeServer> StartAsync(NodeSdk sdk)
    {
        var node = NodeProcess.Start("node-server.mjs", [], sdk.ToEnvironment());
        try
        {
            var listening = await node.ReadMessageAsync("the port it listens on");
            var port = listening.GetProperty("port").GetInt32();
            return new NodeServer(node, new Uri($"http://127.0.0.1:{port}/"));
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until the SDK has sent every envelope it has (<c>Sentry.flush</c>).</summary>
    public async Task FlushAsync()
    {
        using var client = new HttpClient { Timeout = Waits.Peer };
        using var response = await client.GetAsync(new Uri(BaseAddress, "flush"));
        if (!response.IsSuccessStatusCode)
        {
            throw _node.Failure($"node-server.mjs could not flush ({(int)response.StatusCode})");
        }
    }

    public string Stderr => _node.Stderr;

    public ValueTask DisposeAsync() => _node.DisposeAsync();
}
