using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using TraceMiddleware.Export.Sentry;
using TraceMiddleware.Testing;

namespace TraceMiddleware.IntegrationTests.Export.Sentry;

/// <summary>
/// Host shutdown after an outage: the exporter was leaving its receiver alone (its probe wait) when the host
/// stopped. It tries the receiver once more within the shutdown timeout, whatever the wait, and says what it
/// could not send. The exporter's clock stands still, so the wait never passes on its own.
/// </summary>
public sealed class SentryExporterShutdownTests
{
    private const int Requests = 20;
    private static readonly DateTimeOffset Start = new(2030, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly ManualClock _clock = new(Start);
    private readonly CapturingLoggerProvider _logs = new();

    [Fact]
    public async Task ReceiverBackBeforeShutdown_WhatFinishedDuringTheProbeWaitIsDelivered()
    {
        // Arrange: nothing listens at the DSN yet; one request makes the exporter find the receiver down.
        var port = SentryReceiver.ClosedPort();
        var factory = Host($"http://publickey@127.0.0.1:{port}/42");
        var client = factory.CreateClient();
        var exporter = factory.Services.GetRequiredService<SentryExporterOwner>().Exporter!;
        await GetAsync(client, "/api/orders/lost");
        await RequestHold.WaitUntilAsync(() => exporter.State == SentryTransportState.Unreachable, () => "the receiver to be found down");

        // Act: the receiver comes up on that port; requests finish while the exporter waits to probe; the host stops.
        await using var receiver = await SentryReceiver.StartAsync(port);
        for (var i = 0; i < Requests; i++)
        {
            await GetAsync(client, $"/api/orders/{i}");
        }

        await AllOfferedAsync(factory);
        await factory.DisposeAsync();

        // Assert: the one probe at shutdown found it back, and everything that waited for it went.
        Assert.Equal(Requests, receiver.Received.Count(e => e.Transaction == "GET /api/orders/{id}"));
        Assert.Equal(Requests, exporter.DeliveredCount);
        Assert.Equal(1, exporter.DroppedCount);
        Assert.Equal(1, _logs.Count(3003));
        Assert.Equal(0, _logs.Count(3011));
    }

    [Fact]
    public async Task ReceiverStillDownAtShutdown_ItIsTriedOnceMoreAndWhatWasNotSentIsLogged()
    {
        // Arrange: a receiver that fails every request; the first transaction's attempts find it down.
        await using var receiver = await SentryReceiver.StartAsync();
        receiver.Always = c => receiver.Respond(c, 503, []);
        var factory = Host(receiver.Dsn.Original);
        var client = factory.CreateClient();
        var exporter = factory.Services.GetRequiredService<SentryExporterOwner>().Exporter!;
        await GetAsync(client, "/api/orders/lost");
        await RequestHold.WaitUntilAsync(() => exporter.State == SentryTransportState.Unreachable, () => "the receiver to be found down");
        var attemptsBefore = receiver.Attempts;

        // Act
        for (var i = 0; i < Requests; i++)
        {
            await GetAsync(client, $"/api/orders/{i}");
        }

        await AllOfferedAsync(factory);
        await factory.DisposeAsync();

        // Assert: one more attempt, not one per transaction; the log says how many were not sent.
        Assert.Equal(SentryTransportOptions.DefaultMaxAttempts, attemptsBefore);
        Assert.Equal(attemptsBefore + 1, receiver.Attempts);
        Assert.Equal(0, exporter.DeliveredCount);
        Assert.Equal(1 + Requests, exporter.DroppedCount);
        var report = Assert.Single(_logs.Entries, e => e.EventId == 3011);
        Assert.Contains($"{Requests} transactions", report.Message, StringComparison.Ordinal);
    }

    private WebApplicationFactory<MinimalApp.Program> Host(string dsn) => ExportHosts.Minimal(
        new()
        {
            ["Tracing:Dsn"] = dsn,
            ["Tracing:TracesSampleRate"] = "1",
            ["Tracing:ShutdownTimeout"] = "00:00:20",
        },
        services => services.AddSingleton<TimeProvider>(_clock),
        _logs);

    /// <summary>Waits until every request's transaction reached the queue (it does as the request's span stops, after the response).</summary>
    private static Task AllOfferedAsync(WebApplicationFactory<MinimalApp.Program> factory) =>
        Eventually.TrueAsync(() => factory.Pipeline().Queue.OfferedCount == 1 + Requests, "every request's transaction offered to the queue");

    private static async Task GetAsync(HttpClient client, string path) => (await client.GetAsync(path)).EnsureSuccessStatusCode();
}
