using System.Text.Json;

namespace TraceMiddleware.InteropTests.Infrastructure;

/// <summary>Runs tests/js/node-client.mjs: a @sentry/node app that calls a URL with fetch inside a span, then flushes.</summary>
public static class NodeClient
{
    public static async Task<NodeClientResult> CallAsync(Uri url, NodeSdk sdk)
    {
        await using var node = NodeProcess.Start("node-client.mjs", [url.ToString()], sdk.ToEnvironment());
        var message = await node.ReadMessageAsync("its result");
        var exitCode = await node.WaitForExitAsync();
        if (exitCode != 0)
        {
            throw node.Failure($"node-client.mjs exited with {exitCode}");
        }

        return new NodeClientResult(
            message.GetProperty("traceId").GetString()!,
            message.GetProperty("spanId").GetString()!,
            message.GetProperty("sampled").GetBoolean(),
            message.GetProperty("status").GetInt32(),
            message.GetProperty("body").GetString()!);
    }

    public static T Body<T>(this NodeClientResult result) =>
        JsonSerializer.Deserialize<T>(result.Body, JsonDefaults.Web) ?? throw new InvalidOperationException("empty body: " + result.Body);
}
