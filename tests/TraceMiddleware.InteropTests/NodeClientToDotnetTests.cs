using TraceMiddleware.InteropTests.Infrastructure;
using TraceMiddleware.Testing;

namespace TraceMiddleware.InteropTests;

/// <summary>@sentry/node 10.78 (fetch, instrumented by the SDK) calls a service of ours.</summary>
public sealed class NodeClientToDotnetTests
{
    [Fact]
    public async Task OurServerSpan_ContinuesTheNodeTrace_WithTheNodeFetchSpanAsParent_AndPassesTheNodeDscOn()
    {
        // Arrange
        await using var standIn = await SentryIngestStandIn.StartAsync();
        await using var downstream = await EchoServer.StartAsync();
        await using var service = await TracedService.StartAsync(new Dictionary<string, string?>
        {
            ["Tracing:Dsn"] = standIn.Dsn("dotnet", 2),
            ["Tracing:TracesSampleRate"] = "1",
            ["Tracing:Release"] = "dotnet-api@1.0.0",
        });
        var sdk = new NodeSdk(standIn.Dsn("node", 1), "node-client@1.0.0");

        // Act
        var node = await NodeClient.CallAsync(service.Orders(7, next: [new Uri(downstream.BaseAddress, "inventory/7")]), sdk);
        var report = node.Body<ServiceReport>();
        var nodeTransaction = await standIn.WaitForTransactionAsync(t => t.TraceId == node.TraceId && t.Op == "task", "node-client transaction");
        var ourServer = await SpanCollector.WaitForSpanAsync(node.TraceId, "http.server");
        var ourClient = await SpanCollector.WaitForSpanAsync(node.TraceId, "http.client");
        var ourTransaction = await service.Exported.WaitForTransactionAsync(t => t.Root.TraceId.ToHexString() == node.TraceId, Waits.Peer);

        // Assert: the node fetch span, as node itself reported it, is our server span's parent.
        Assert.Equal(200, node.Status);
        var nodeFetch = Assert.Single(nodeTransaction.Spans, s => s.Op == "http.client");
        Assert.Equal(node.TraceId, nodeFetch.TraceId);
        Assert.Equal(node.SpanId, nodeFetch.ParentSpanId);
        Assert.Equal(node.TraceId, ourServer.TraceId.ToHexString());
        Assert.Equal(nodeFetch.SpanId, ourServer.ParentSpanId.ToHexString());
        Assert.True(ourServer.Recorded);
        Assert.Equal(new SpanReport(node.TraceId, ourServer.SpanId.ToHexString(), nodeFetch.SpanId, true), report.Span);

        // Assert: what node sent us, and what we passed on: node's trace with our client span as parent,
        // and node's DSC exactly as node reported it in its envelope.
        Assert.Equal($"{node.TraceId}-{nodeFetch.SpanId}-1", report.Received["sentry-trace"]);
        var forwarded = Assert.Single(downstream.Received).Headers;
        Assert.Equal($"{node.TraceId}-{ourClient.SpanId.ToHexString()}-1", forwarded["sentry-trace"]);
        var nodeDsc = nodeTransaction.DynamicSamplingContext;
        Assert.Equal("node", nodeDsc["public_key"]);
        Assert.Equal("node-client@1.0.0", nodeDsc["release"]);
        Assert.Equal(nodeDsc.OrderBy(p => p.Key), BaggageText.SentryMembers(forwarded["baggage"]).OrderBy(p => p.Key));
        Assert.Equal(nodeDsc.OrderBy(p => p.Key), BaggageText.SentryMembers(report.Received["baggage"]).OrderBy(p => p.Key));
        Assert.Same(ourServer, ourTransaction.Root);
        Assert.Equal(nodeDsc.OrderBy(p => p.Key), ourTransaction.DynamicSamplingContext.Entries.OrderBy(p => p.Key));

        // Assert: what our SDK sent to Sentry says the same: node's trace, node's fetch span as parent, node's DSC.
        var sent = await standIn.WaitForTransactionAsync(t => t.TraceId == node.TraceId && t.Envelope.SdkName == "sentry.dotnet.tracemiddleware", "our transaction");
        Assert.Equal("2", sent.Envelope.ProjectId);
        Assert.Equal("http.server", sent.Op);
        Assert.Equal(ourServer.SpanId.ToHexString(), sent.Root.SpanId);
        Assert.Equal(nodeFetch.SpanId, sent.Root.ParentSpanId);
        Assert.Equal(nodeDsc.OrderBy(p => p.Key), sent.DynamicSamplingContext.OrderBy(p => p.Key));
        Assert.Contains(sent.Spans, s => s.Op == "http.client" && s.SpanId == ourClient.SpanId.ToHexString() && s.ParentSpanId == sent.Root.SpanId);
    }
}
