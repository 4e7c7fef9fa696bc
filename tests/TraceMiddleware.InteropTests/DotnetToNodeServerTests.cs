using TraceMiddleware.InteropTests.Infrastructure;
using TraceMiddleware.Testing;

namespace TraceMiddleware.InteropTests;

/// <summary>A service of ours starts a trace and calls a server instrumented by @sentry/node 10.78.</summary>
public sealed class DotnetToNodeServerTests
{
    [Fact]
    public async Task NodeServerSpan_ContinuesOurTrace_WithOurClientSpanAsParent_AndOurDsc()
    {
        // Arrange
        await using var standIn = await SentryIngestStandIn.StartAsync();
        await using var nodeServer = await NodeServer.StartAsync(new NodeSdk(standIn.Dsn("node", 1), "node-server@1.0.0"));
        await using var service = await TracedService.StartAsync(new Dictionary<string, string?>
        {
            ["Tracing:Dsn"] = standIn.Dsn("dotnetkey", 2),
            ["Tracing:TracesSampleRate"] = "1",
            ["Tracing:Release"] = "dotnet-api@2.0.0",
            ["Tracing:Environment"] = "interop",
        });

        // Act
        var report = await service.GetAsync(service.Orders(7, next: [new Uri(nodeServer.BaseAddress, "inventory/7")]));
        var traceId = report.Span.TraceId!;
        var nodeAnswer = report.CallBody<NodeServerAnswer>(0);
        var nodeTransaction = await standIn.WaitForTransactionAsync(t => t.TraceId == traceId && t.Op == "http.server" && t.Envelope.SdkName != "sentry.dotnet.tracemiddleware", "node-server transaction");
        var ourServer = await SpanCollector.WaitForSpanAsync(traceId, "http.server");
        var ourClient = await SpanCollector.WaitForSpanAsync(traceId, "http.client");
        var ourClientId = ourClient.SpanId.ToHexString();
        var ourTransaction = await service.Exported.WaitForTransactionAsync(t => t.Root.TraceId.ToHexString() == traceId, Waits.Peer);

        // Assert: node's own report of its server span: our trace, our http.client span as parent.
        Assert.Equal("0000000000000000", report.Span.ParentSpanId);
        Assert.Equal(ourServer.SpanId, ourClient.ParentSpanId);
        Assert.Equal(traceId, nodeTransaction.Root.TraceId);
        Assert.Equal(ourClientId, nodeTransaction.Root.ParentSpanId);
        Assert.Equal(nodeTransaction.Root.SpanId, nodeAnswer.Span!.SpanId);
        Assert.Equal($"{traceId}-{ourClientId}-1", nodeAnswer["sentry-trace"]);

        // Assert: the baggage node received carries our DSC, and node took it over unchanged.
        var dsc = BaggageText.SentryMembers(nodeAnswer["baggage"]);
        Assert.Equal(traceId, dsc["trace_id"]);
        Assert.Equal("dotnetkey", dsc["public_key"]);
        Assert.Equal("dotnet-api@2.0.0", dsc["release"]);
        Assert.Equal("interop", dsc["environment"]);
        Assert.Equal("true", dsc["sampled"]);
        Assert.Equal("1", dsc["sample_rate"]);
        Assert.Matches(@"^0\.[0-9]{1,6}$|^0$", dsc["sample_rand"]);
        Assert.Equal(dsc.OrderBy(p => p.Key), nodeTransaction.DynamicSamplingContext.OrderBy(p => p.Key));
        Assert.Equal(dsc.OrderBy(p => p.Key), ourTransaction.DynamicSamplingContext.Entries.OrderBy(p => p.Key));
        Assert.Contains(ourClient, ourTransaction.Activities);

        // Assert: what our SDK sent to Sentry: the head of the trace, with the client span node continued.
        var sent = await standIn.WaitForTransactionAsync(t => t.TraceId == traceId && t.Envelope.SdkName == "sentry.dotnet.tracemiddleware", "our transaction");
        Assert.Null(sent.Root.ParentSpanId);
        Assert.Contains(sent.Spans, s => s.Op == "http.client" && s.SpanId == ourClientId);
        Assert.Equal(dsc.OrderBy(p => p.Key), sent.DynamicSamplingContext.OrderBy(p => p.Key));
    }
}
