using System.Text.RegularExpressions;
using TraceMiddleware.InteropTests.Infrastructure;
using TraceMiddleware.Testing;

namespace TraceMiddleware.InteropTests;

/// <summary>
/// A request that arrives with a real @sentry/node trace calls a propagation target (a @sentry/node
/// server) and a host that is not one, with a factory client and with a plain <c>new HttpClient()</c>.
/// </summary>
public sealed class NonTargetTests
{
    [Fact]
    public async Task NonTargetUrl_ReceivesNoTraceHeaderOfAnyKind_WhileTheTargetGetsThemInTheSameRequest()
    {
        // Arrange
        await using var standIn = await SentryIngestStandIn.StartAsync();
        await using var nodeServer = await NodeServer.StartAsync(new NodeSdk(standIn.Dsn("node", 1), "node-server@1.0.0"));
        await using var outsider = await EchoServer.StartAsync();
        await using var service = await TracedService.StartAsync(new Dictionary<string, string?>
        {
            ["Tracing:Dsn"] = standIn.Dsn("dotnet", 2),
            ["Tracing:TracesSampleRate"] = "1",
            ["Tracing:PropagateTraceparent"] = "true",
            ["Tracing:TracePropagationTargets:0"] = "^" + Regex.Escape(nodeServer.BaseAddress.ToString()),
        });
        var url = service.Orders(
            5,
            next: [new Uri(nodeServer.BaseAddress, "inventory/5"), new Uri(outsider.BaseAddress, "factory-client")],
            plain: [new Uri(outsider.BaseAddress, "plain-client")]);

        // Act
        var node = await NodeClient.CallAsync(url, new NodeSdk(standIn.Dsn("head", 3), "node-head@1.0.0"));
        var report = node.Body<ServiceReport>();

        // Assert: the target got the trace, with traceparent as configured.
        Assert.All(report.Calls, c => Assert.Equal(200, c.Status));
        var nodeAnswer = report.CallBody<NodeServerAnswer>(0);
        Assert.StartsWith(node.TraceId + "-", nodeAnswer["sentry-trace"], StringComparison.Ordinal);
        Assert.NotNull(nodeAnswer["baggage"]);
        Assert.StartsWith($"00-{node.TraceId}-", nodeAnswer["traceparent"], StringComparison.Ordinal);

        // Assert: the outsider got none of Sentry's, W3C's or .NET's legacy trace headers, from either client.
        Assert.Equal(2, outsider.Received.Count);
        foreach (var (path, headers) in outsider.Received)
        {
            foreach (var header in ReceivedRequest.TraceHeaderNames)
            {
                Assert.False(headers.ContainsKey(header), $"{path} received {header}: {headers.GetValueOrDefault(header)}");
            }
        }
    }
}
