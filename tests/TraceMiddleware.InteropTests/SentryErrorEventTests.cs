using TraceMiddleware.InteropTests.Infrastructure;
using TraceMiddleware.Testing;

namespace TraceMiddleware.InteropTests;

/// <summary>
/// Sentry's own .NET SDK (<c>Sentry.AspNetCore</c>) reports the errors, TraceMiddleware the trace: with
/// <c>UseTraceMiddleware()</c> in Sentry's options, each error event arrives in our trace (our trace id, the span it
/// failed in, our transaction's name) and Sentry's SDK sends no transaction of its own.
/// </summary>
[Collection(SentrySdkCollection.Name)]
public sealed class SentryErrorEventTests
{
    private const string CallerSpanId = "b7ad6b7169203331";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task UnhandledException_ArrivesAsAnErrorEventOfOurServerSpan_AndSentrySendsNoTransaction(bool sentryFirst)
    {
        // Arrange
        await using var standIn = await SentryIngestStandIn.StartAsync();
        await using var app = await SentryErrorsApp.StartAsync(standIn, sentryFirst);
        var traceId = NewTraceId();

        // Act
        var status = await app.GetAsync("/orders/42/fail", $"{traceId}-{CallerSpanId}-1", $"sentry-trace_id={traceId},sentry-public_key=caller,sentry-sample_rate=1,sentry-sampled=true");
        var transaction = await standIn.WaitForTransactionAsync(t => t.TraceId == traceId && t.Envelope.ProjectId == SentryErrorsApp.TracingProject, "our transaction");
        var error = await standIn.WaitForErrorEventAsync(e => e.ExceptionValue == "order 42 failed", "Sentry's error event");
        await SentryErrorsApp.FlushSentryAsync();

        // Assert
        Assert.Equal(500, status);
        Assert.Equal("GET /orders/{id}/fail", transaction.Name);
        Assert.Equal(CallerSpanId, transaction.Root.ParentSpanId);
        Assert.Equal(SentryErrorsApp.SentryProject, error.Envelope.ProjectId);
        Assert.Equal(new ReceivedSpan(traceId, transaction.Root.SpanId, CallerSpanId, null, null), error.Trace with { Op = null });
        Assert.Equal("GET /orders/{id}/fail", error.Transaction);
        Assert.Equal(traceId, error.Envelope.DynamicSamplingContext["trace_id"]);
        Assert.DoesNotContain(standIn.Transactions, t => t.Envelope.ProjectId == SentryErrorsApp.SentryProject);
        Assert.Equal(transaction.Root, Assert.Single(standIn.Transactions).Root);
        Assert.Single(standIn.ErrorEvents);
    }

    [Fact]
    public async Task UnhandledException_InATraceThatStartsHere_CarriesOurTraceId()
    {
        // Arrange
        await using var standIn = await SentryIngestStandIn.StartAsync();
        await using var app = await SentryErrorsApp.StartAsync(standIn);

        // Act
        var status = await app.GetAsync("/orders/7/fail");
        var transaction = await standIn.WaitForTransactionAsync(t => t.Name == "GET /orders/{id}/fail", "our transaction");
        var error = await standIn.WaitForErrorEventAsync(e => e.ExceptionValue == "order 7 failed", "Sentry's error event");
        await SentryErrorsApp.FlushSentryAsync();

        // Assert
        Assert.Equal(500, status);
        Assert.Equal(transaction.TraceId, error.Trace.TraceId);
        Assert.Equal(transaction.Root.SpanId, error.Trace.SpanId);
        Assert.Null(error.Trace.ParentSpanId);
        Assert.Equal("GET /orders/{id}/fail", error.Transaction);
        Assert.Equal(transaction.Root, Assert.Single(standIn.Transactions).Root);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ExceptionThrownInsideAChildSpan_NamesThatSpan(bool sentryFirst)
    {
        // Arrange
        await using var standIn = await SentryIngestStandIn.StartAsync();
        await using var app = await SentryErrorsApp.StartAsync(standIn, sentryFirst);

        // Act
        var status = await app.GetAsync("/orders/8/fail-in-span");
        var transaction = await standIn.WaitForTransactionAsync(t => t.Name == "GET /orders/{id}/fail-in-span", "our transaction");
        var error = await standIn.WaitForErrorEventAsync(e => e.ExceptionValue == "card for order 8 declined", "Sentry's error event");

        // Assert
        Assert.Equal(500, status);
        var span = Assert.Single(transaction.Spans, s => s.Op == "payment");
        Assert.Equal(new ReceivedSpan(transaction.TraceId, span.SpanId, transaction.Root.SpanId, null, null), error.Trace with { Op = null });
        Assert.Equal("GET /orders/{id}/fail-in-span", error.Transaction);
    }

    [Fact]
    public async Task FailedOutgoingCall_NamesItsHttpClientSpan()
    {
        // Arrange
        await using var standIn = await SentryIngestStandIn.StartAsync();
        await using var app = await SentryErrorsApp.StartAsync(standIn);
        var closed = await ClosedPortAsync();

        // Act
        var status = await app.GetAsync("/orders/9/call?url=" + Uri.EscapeDataString(closed.ToString()));
        var transaction = await standIn.WaitForTransactionAsync(t => t.Name == "GET /orders/{id}/call", "our transaction");
        var error = await standIn.WaitForErrorEventAsync(e => e.ExceptionType == "System.Net.Http.HttpRequestException", "Sentry's error event");

        // Assert
        Assert.Equal(500, status);
        var call = Assert.Single(transaction.Spans, s => s.Op == "http.client");
        Assert.Equal(new ReceivedSpan(transaction.TraceId, call.SpanId, transaction.Root.SpanId, null, null), error.Trace with { Op = null });
        Assert.Equal("GET /orders/{id}/call", error.Transaction);
    }

    [Fact]
    public async Task ErrorLoggedInsideAChildSpan_ArrivesAsAnEventOfThatSpan()
    {
        // Arrange
        await using var standIn = await SentryIngestStandIn.StartAsync();
        await using var app = await SentryErrorsApp.StartAsync(standIn);

        // Act
        var status = await app.GetAsync("/orders/11/log");
        var transaction = await standIn.WaitForTransactionAsync(t => t.Name == "GET /orders/{id}/log", "our transaction");
        var error = await standIn.WaitForErrorEventAsync(e => e.Transaction == "GET /orders/{id}/log", "Sentry's event for the logged error");

        // Assert
        Assert.Equal(200, status);
        var span = Assert.Single(transaction.Spans, s => s.Op == "inventory");
        Assert.Equal(new ReceivedSpan(transaction.TraceId, span.SpanId, transaction.Root.SpanId, null, null), error.Trace with { Op = null });
    }

    [Fact]
    public async Task ExceptionInAMiddlewareBeforeAnyEndpoint_NamesOurTransaction()
    {
        // Arrange
        await using var standIn = await SentryIngestStandIn.StartAsync();
        await using var app = await SentryErrorsApp.StartAsync(standIn);

        // Act
        var status = await app.GetAsync("/broken/page");
        var transaction = await standIn.WaitForTransactionAsync(t => t.Name == "GET /broken/page", "our transaction");
        var error = await standIn.WaitForErrorEventAsync(e => e.ExceptionValue == "a middleware failed", "Sentry's error event");

        // Assert
        Assert.Equal(500, status);
        Assert.Equal(transaction.TraceId, error.Trace.TraceId);
        Assert.Equal(transaction.Root.SpanId, error.Trace.SpanId);
        Assert.Equal("GET /broken/page", error.Transaction);
    }

    [Fact]
    public async Task SentrysHttpClientHandler_AddsNoTraceHeaderToANonTarget()
    {
        // Arrange
        await using var standIn = await SentryIngestStandIn.StartAsync();
        await using var app = await SentryErrorsApp.StartAsync(standIn);
        await using var downstream = await EchoServer.StartAsync();

        // Act
        var status = await app.GetAsync("/orders/10/call?url=" + Uri.EscapeDataString(downstream.BaseAddress.ToString()));

        // Assert
        Assert.Equal(200, status);
        Assert.Empty(downstream.Single("/").TraceHeadersPresent);
    }

    private static string NewTraceId() => Guid.NewGuid().ToString("N");

    private static async Task<Uri> ClosedPortAsync()
    {
        var (server, address) = await LoopbackServer.StartAsync(_ => Task.CompletedTask);
        await server.DisposeAsync();
        return address;
    }
}
