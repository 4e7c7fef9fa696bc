using Microsoft.AspNetCore.Http;
using TraceMiddleware.Export;
using TraceMiddleware.Export.Sentry;
using TraceMiddleware.Testing;

namespace TraceMiddleware.IntegrationTests.Export.Sentry;

/// <summary>
/// The exporter reads the status and Sentry's headers of an answer, never its body: a receiver that answers
/// with a huge or endless body costs it neither memory nor time.
/// </summary>
public sealed class SentryExporterResponseBodyTests : IAsyncLifetime
{
    private readonly CapturingLoggerProvider _logs = new();
    private SentryReceiver _receiver = null!;
    private int _bodiesStarted;
    private int _bodiesCutOff;

    public async Task InitializeAsync() => _receiver = await SentryReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Fact]
    public async Task Answer200WithAnEndlessBody_EveryEnvelopeIsDeliveredAndNoBodyIsReadToTheEnd()
    {
        // Arrange: each answer is a 200 whose body never ends. A client that waited for the body would time
        // out on every attempt (and buffer what it read meanwhile).
        _receiver.Always = RespondWithEndlessBodyAsync;
        using var exporter = new SentryTraceExporter(
            _receiver.Dsn,
            new SentryTransportOptions { BaseBackoff = TimeSpan.Zero, RequestTimeout = TimeSpan.FromSeconds(3) },
            handler: null,
            _logs.CreateLogger("TraceMiddleware"),
            time: null);
        var batch = Enumerable.Range(0, 20).Select(i => ExportSamples.Transaction($"t {i}")).ToArray();

        // Act
        await exporter.ExportAsync(batch, CancellationToken.None);

        // Assert: one attempt each, all delivered; the exporter let go of every connection while its body was
        // still being written.
        Assert.Equal(20, exporter.DeliveredCount);
        Assert.Equal(0, exporter.DroppedCount);
        Assert.Equal(20, _receiver.Attempts);
        Assert.Equal(20, Volatile.Read(ref _bodiesStarted));
        await RequestHold.WaitUntilAsync(() => Volatile.Read(ref _bodiesCutOff) == 20, () => $"every body write to be cut off by the client ({Volatile.Read(ref _bodiesCutOff)} of 20)");
        Assert.DoesNotContain(_logs.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);
    }

    private async Task RespondWithEndlessBodyAsync(HttpContext context)
    {
        await _receiver.Respond(context, 200, []);
        Interlocked.Increment(ref _bodiesStarted);
        var chunk = new byte[64 * 1024];
        try
        {
            // Paced, so that a client that does read the body fills its memory slowly rather than at loopback speed.
            while (true)
            {
                await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                await Task.Delay(1, context.RequestAborted);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            Interlocked.Increment(ref _bodiesCutOff);
        }
    }
}
