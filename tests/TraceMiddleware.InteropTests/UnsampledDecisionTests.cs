using System.Diagnostics;
using TraceMiddleware.InteropTests.Infrastructure;
using TraceMiddleware.Testing;

namespace TraceMiddleware.InteropTests;

/// <summary>
/// An unsampled head (@sentry/node with <c>tracesSampleRate: 0</c>) calls our service A, which calls our
/// service B, which calls a @sentry/node server. Every one of them samples at 1 locally.
/// </summary>
public sealed class UnsampledDecisionTests
{
    [Fact]
    public async Task IncomingUnsampledDecision_IsHonouredByEveryService_ForwardedAsMinusZero_AndNothingIsSent()
    {
        // Arrange
        await using var standIn = await SentryIngestStandIn.StartAsync();
        await using var nodeServer = await NodeServer.StartAsync(new NodeSdk(standIn.Dsn("node", 1), "node-server@1.0.0"));
        var settings = new Dictionary<string, string?>
        {
            ["Tracing:Dsn"] = standIn.Dsn("dotnet", 2),
            ["Tracing:TracesSampleRate"] = "1",
        };
        var serviceB = await TracedService.StartAsync(settings);
        var serviceA = await TracedService.StartAsync(settings);
        var exportedA = serviceA.Exported;
        var exportedB = serviceB.Exported;
        var toB = serviceB.Orders(2, next: [new Uri(nodeServer.BaseAddress, "inventory/2")]);

        // Act
        NodeClientResult node;
        try
        {
            node = await NodeClient.CallAsync(serviceA.Orders(1, next: [toB]), new NodeSdk(standIn.Dsn("head", 3), "node-head@1.0.0", TracesSampleRate: 0));
            await SpanCollector.WaitForTraceAsync(node.TraceId, s => s.Count(a => a.Kind == ActivityKind.Server) == 2 && s.Count(a => a.Kind == ActivityKind.Client) == 2, "two server and two client spans");
        }
        finally
        {
            // Our services flush what they have on shutdown; only then is "nothing sent" worth checking.
            await serviceA.DisposeAsync();
            await serviceB.DisposeAsync();
        }

        await nodeServer.FlushAsync();
        var reportA = node.Body<ServiceReport>();
        var reportB = reportA.CallBody<ServiceReport>(0);
        var nodeAnswer = reportB.CallBody<NodeServerAnswer>(0);

        // Assert: each hop received the -0 decision, with the previous hop's span as parent.
        Assert.False(node.Sampled);
        Assert.Matches($"^{node.TraceId}-[0-9a-f]{{16}}-0$", reportA.Received["sentry-trace"]);
        Assert.Equal(reportA.Received["sentry-trace"][33..49], reportA.Span.ParentSpanId);
        Assert.Matches($"^{node.TraceId}-[0-9a-f]{{16}}-0$", reportB.Received["sentry-trace"]);
        Assert.Equal(reportB.Received["sentry-trace"][33..49], reportB.Span.ParentSpanId);
        Assert.Matches($"^{node.TraceId}-[0-9a-f]{{16}}-0$", nodeAnswer["sentry-trace"]);
        Assert.Equal("false", BaggageText.SentryMembers(nodeAnswer["baggage"])["sampled"]);
        Assert.Equal(node.TraceId, nodeAnswer.Span!.TraceId);
        Assert.False(nodeAnswer.Sampled);

        // Assert: nobody recorded anything, nobody sent anything for this trace.
        Assert.False(reportA.Span.Recorded);
        Assert.False(reportB.Span.Recorded);
        var ours = SpanCollector.ForTrace(node.TraceId);
        Assert.All(ours, a => Assert.False(a.Recorded, $"{a.Op()} '{a.DisplayName}' was recorded"));
        Assert.Empty(exportedA.Transactions);
        Assert.Empty(exportedB.Transactions);
        Assert.Empty(standIn.TransactionsOf(node.TraceId));
        Assert.DoesNotContain(standIn.Envelopes, e => e.DynamicSamplingContext.TryGetValue("trace_id", out var id) && id == node.TraceId);
    }
}
