using System.Diagnostics;
using System.Globalization;
using TraceMiddleware.Configuration;
using TraceMiddleware.Export;
using TraceMiddleware.Export.Sentry;
using TraceMiddleware.Testing;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.IntegrationTests.Export.Sentry;

/// <summary>
/// The Sentry exporter against a real loopback Kestrel receiver that misbehaves on purpose. The clock the
/// exporter reads is moved by hand, so nothing here waits for a rate limit to pass or asserts on wall time.
/// </summary>
public sealed class SentryExporterFaultTests : SentryExporterHarness
{
    private SentryTraceExporter NewExporter(SentryDsn? dsn = null, TimeSpan? requestTimeout = null, int gzipThreshold = SentryTransportOptions.DefaultGzipThresholdBytes) =>
        CreateExporter(
            new SentryTransportOptions
            {
                BaseBackoff = TimeSpan.Zero,
                RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(30),
                GzipThresholdBytes = gzipThreshold,
            },
            dsn);

    private static IReadOnlyList<SentryTransaction> Batch(params string[] names) => names.Select(n => ExportSamples.Transaction(n)).ToArray();

    [Fact]
    public async Task ReceiverUp_EveryTransactionArrivesOnceAsAWellFormedEnvelope()
    {
        // Arrange
        using var exporter = NewExporter();

        // Act
        await exporter.ExportAsync(Batch("a", "b", "c"), CancellationToken.None);

        // Assert: after the first, envelopes go out side by side, so they may arrive in any order.
        Assert.Equal(["a", "b", "c"], Receiver.Received.Select(r => r.Transaction).Order(StringComparer.Ordinal));
        Assert.All(Receiver.Received, r => Assert.Equal("application/x-sentry-envelope", r["content-type"]));
        Assert.All(Receiver.Received, r => Assert.StartsWith("Sentry sentry_version=7, sentry_client=sentry.dotnet.tracemiddleware/", r["x-sentry-auth"], StringComparison.Ordinal));
        Assert.All(Receiver.Received, r => Assert.EndsWith(", sentry_key=publickey", r["x-sentry-auth"], StringComparison.Ordinal));
        Assert.Equal(3, exporter.DeliveredCount);
        Assert.Equal(0, exporter.DroppedCount);
        Assert.DoesNotContain(Logs.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);
    }

    [Fact]
    public async Task LargeEnvelope_IsGzippedAndDecodesToTheSameEnvelope()
    {
        // Over the default threshold (32 KiB, as @sentry/node): some 200 spans.
        using var exporter = NewExporter();
        var big = ExportSamples.Transaction("big", children: 200);

        await exporter.ExportAsync([big], CancellationToken.None);

        var received = Assert.Single(Receiver.Received);
        Assert.True(received.Body.Length > SentryTransportOptions.DefaultGzipThresholdBytes, $"the envelope ({received.Body.Length} B) is over the default threshold");
        Assert.Equal("gzip", received["content-encoding"]);
        Assert.True(received.WireBody.Length < received.Body.Length, "gzip made the body smaller");
        Assert.Equal("big", received.Transaction);
        Assert.Equal(200, received.Payload.GetProperty("spans").GetArrayLength());
    }

    [Fact]
    public async Task SmallEnvelope_IsSentPlain()
    {
        // A few spans stay under the default threshold: no compressor is set up for them.
        using var exporter = NewExporter();

        await exporter.ExportAsync(Batch("small"), CancellationToken.None);

        var received = Assert.Single(Receiver.Received);
        Assert.Null(received["content-encoding"]);
        Assert.Equal(received.WireBody, received.Body);
    }

    [Fact]
    public async Task CallerInsideASpan_EnvelopePostCarriesNoTraceHeaders()
    {
        // Arrange: with a current span, a plain HttpClient would add traceparent (and baggage) to the POST.
        using var exporter = NewExporter();
        using var caller = new Activity("caller").SetIdFormat(ActivityIdFormat.W3C).Start();
        caller.AddBaggage("user", "secret");

        // Act
        await exporter.ExportAsync(Batch("quiet"), CancellationToken.None);

        // Assert
        var headers = Assert.Single(Receiver.Received).Headers;
        Assert.DoesNotContain(headers.Keys, k => k is "traceparent" or "tracestate" or "baggage" or "sentry-trace" or "request-id" or "correlation-context");
        Assert.Same(caller, Activity.Current);
    }

    [Fact]
    public async Task ReceiverDown_ExportReturnsDropsTheBatchAndLogsOnce()
    {
        // Arrange
        var dsn = SentryDsn.Parse($"http://publickey@127.0.0.1:{SentryReceiver.ClosedPort()}/42");
        using var exporter = NewExporter(dsn);

        // Act
        await exporter.ExportAsync(Batch("a", "b", "c"), CancellationToken.None);
        await exporter.ExportAsync(Batch("d", "e"), CancellationToken.None);

        // Assert: the batch that found it down is dropped; the next waits, unsent, for the probe.
        Assert.Equal(3, exporter.DroppedCount);
        Assert.Equal(2, exporter.HeldCount);
        Assert.Equal(0, exporter.DeliveredCount);
        Assert.Equal(SentryTransportState.Unreachable, exporter.State);
        Assert.Equal(1, Logs.Count(3001));
    }

    [Fact]
    public async Task SlowReceiver_EachAttemptTimesOutThenTheRestOfTheBatchIsDropped()
    {
        // Arrange: the receiver never answers the first three requests.
        Receiver.ThenHang().ThenHang().ThenHang();
        using var exporter = NewExporter(requestTimeout: TimeSpan.FromMilliseconds(300));

        // Act
        await exporter.ExportAsync(Batch("a", "b"), CancellationToken.None);

        // Assert: three attempts for "a", none for "b"; nothing was read to the end.
        Assert.Equal(SentryTransportOptions.DefaultMaxAttempts, Receiver.Attempts);
        Assert.Empty(Receiver.Received);
        Assert.Equal(2, exporter.DroppedCount);
        Assert.Equal(SentryTransportState.Unreachable, exporter.State);
        Assert.Contains(Logs.Entries, e => e.EventId == 3001 && e.Message.Contains("no answer within", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SlowReceiverThatRecovers_NextBatchIsDeliveredAndRecoveryIsLoggedWithTheDropCount()
    {
        // Arrange
        Receiver.ThenHang().ThenHang().ThenHang();
        using var exporter = NewExporter(requestTimeout: TimeSpan.FromMilliseconds(300));
        await exporter.ExportAsync(Batch("lost 1", "lost 2"), CancellationToken.None);

        // Act: once the first probe wait has passed
        Clock.Advance(SentryTransportOptions.FirstProbeWait);
        await exporter.ExportAsync(Batch("back"), CancellationToken.None);

        // Assert
        Assert.Equal("back", Assert.Single(Receiver.Received).Transaction);
        Assert.Equal(SentryTransportState.Healthy, exporter.State);
        var recovered = Assert.Single(Logs.Entries, e => e.EventId == 3003);
        Assert.Contains("2 transactions were dropped", recovered.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnreachableReceiver_IsLeftAloneUntilTheProbeWaitHasPassed_ThenProbedWithOneAttempt()
    {
        // Arrange: down for the first batch's three attempts and for the first probe.
        Receiver.ThenRespond(503).ThenRespond(503).ThenRespond(503).ThenRespond(503);
        using var exporter = NewExporter();
        await exporter.ExportAsync(Batch("a"), CancellationToken.None);
        var firstWait = exporter.ProbeAt - Clock.GetUtcNow();

        // Act 1: within the wait, batches go without a connection attempt.
        await exporter.ExportAsync(Batch("b", "c"), CancellationToken.None);
        Clock.Advance(firstWait - TimeSpan.FromMilliseconds(1));
        await exporter.ExportAsync(Batch("d"), CancellationToken.None);
        var attemptsWithinTheWait = Receiver.Attempts;

        // Act 2: after it, one attempt probes; it fails, so the next wait is longer.
        Clock.Advance(TimeSpan.FromMilliseconds(1));
        await exporter.ExportAsync(Batch("e", "f"), CancellationToken.None);
        var secondWait = exporter.ProbeAt - Clock.GetUtcNow();

        // Act 3: the receiver is back (it answers 200 from now on); the probe after the second wait finds it.
        Clock.Advance(secondWait);
        await exporter.ExportAsync(Batch("g", "h"), CancellationToken.None);

        // Assert
        Assert.Equal(SentryTransportOptions.DefaultMaxAttempts, attemptsWithinTheWait);
        Assert.InRange(firstWait, SentryTransportOptions.FirstProbeWait / 2, SentryTransportOptions.FirstProbeWait);
        Assert.InRange(secondWait, SentryTransportOptions.FirstProbeWait, SentryTransportOptions.FirstProbeWait * 2);
        Assert.Equal(SentryTransportOptions.DefaultMaxAttempts + 1 + 2, Receiver.Attempts);
        Assert.Equal(["g", "h"], Receiver.Received.Where(r => r.AnsweredStatus == 200).Select(r => r.Transaction));
        Assert.Equal(6, exporter.DroppedCount);
        Assert.Equal(SentryTransportState.Healthy, exporter.State);
        Assert.Equal(1, Logs.Count(3001));
        Assert.Contains("6 transactions were dropped", Assert.Single(Logs.Entries, e => e.EventId == 3003).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Error500Then200_IsRetriedAndDeliveredOnce()
    {
        Receiver.ThenRespond(500);
        using var exporter = NewExporter();

        await exporter.ExportAsync(Batch("retried"), CancellationToken.None);

        Assert.Equal(2, Receiver.Attempts);
        var received = Receiver.Received.ToArray();
        Assert.Equal([500, 200], received.Select(r => r.AnsweredStatus));
        Assert.Equal(received[0].Body, received[1].Body);
        Assert.Equal("retried", received[1].Transaction);
        Assert.Equal(1, exporter.DeliveredCount);
        Assert.Equal(0, exporter.DroppedCount);
        Assert.Equal(SentryTransportState.Healthy, exporter.State);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    [InlineData(408)]
    public async Task TransientStatusEveryTime_IsTriedMaxAttemptsThenDropped(int status)
    {
        Receiver.ThenRespond(status).ThenRespond(status).ThenRespond(status);
        using var exporter = NewExporter();

        await exporter.ExportAsync(Batch("doomed"), CancellationToken.None);

        Assert.Equal(SentryTransportOptions.DefaultMaxAttempts, Receiver.Attempts);
        Assert.Equal(1, exporter.DroppedCount);
        Assert.Contains(Logs.Entries, e => e.EventId == 3001 && e.Message.Contains($"HTTP {status}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TooLarge413_IsDroppedNotRetriedAndTheNextIsSent()
    {
        Receiver.ThenRespond(413);
        using var exporter = NewExporter();

        await exporter.ExportAsync(Batch("huge", "fine"), CancellationToken.None);

        Assert.Equal(2, Receiver.Attempts);
        Assert.Equal([413, 200], Receiver.Received.Select(r => r.AnsweredStatus));
        Assert.Equal(1, exporter.DroppedCount);
        Assert.Equal(1, exporter.DeliveredCount);
        Assert.Equal(1, Logs.Count(3005));
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(403)]
    public async Task Rejected4xx_IsDroppedNotRetriedAndLoggedOnce(int status)
    {
        Receiver.ThenRespond(status).ThenRespond(status);
        using var exporter = NewExporter();

        await exporter.ExportAsync(Batch("a", "b"), CancellationToken.None);

        Assert.Equal(2, Receiver.Attempts);
        Assert.Equal(2, exporter.DroppedCount);
        Assert.Equal(SentryTransportState.Rejected, exporter.State);
        Assert.Equal(1, Logs.Count(3004));
    }

    [Fact]
    public async Task ConnectionClosedMidRequest_IsRetriedAndDeliveredOnce()
    {
        Receiver.ThenAbort();
        using var exporter = NewExporter();

        await exporter.ExportAsync(Batch("survivor"), CancellationToken.None);

        Assert.Equal(2, Receiver.Attempts);
        Assert.Equal("survivor", Assert.Single(Receiver.Received).Transaction);
        Assert.Equal(1, exporter.DeliveredCount);
    }

    [Fact]
    public async Task ConnectionClosedEveryTime_IsDroppedAfterMaxAttempts()
    {
        Receiver.ThenAbort().ThenAbort().ThenAbort();
        using var exporter = NewExporter();

        await exporter.ExportAsync(Batch("a", "b"), CancellationToken.None);

        Assert.Equal(SentryTransportOptions.DefaultMaxAttempts, Receiver.Attempts);
        Assert.Empty(Receiver.Received);
        Assert.Equal(2, exporter.DroppedCount);
    }

    public static TheoryData<string, string?, string?, int> RateLimitForms() => new()
    {
        { "X-Sentry-Rate-Limits for transactions", "30:transaction:key", null, 30 },
        { "X-Sentry-Rate-Limits for all categories", "30::organization", null, 30 },
        { "X-Sentry-Rate-Limits among several categories", "30:error;transaction:key:quota", null, 30 },
        { "X-Sentry-Rate-Limits, the longest entry that applies", "10:transaction:key, 45::org, 90:error:key", null, 45 },
        { "X-Sentry-Rate-Limits with a non-numeric delay", "soon:transaction:key", null, 60 },
        { "X-Sentry-Rate-Limits wins over Retry-After", "30:transaction:key", "120", 30 },
        { "Retry-After in seconds", null, "120", 120 },
        { "Retry-After as an HTTP date", null, Start.AddSeconds(90).ToString("r", CultureInfo.InvariantCulture), 90 },
        { "bare 429", null, null, 60 },
        { "bare 429 with a garbage Retry-After", null, "whenever", 60 },
    };

    [Theory]
    [MemberData(nameof(RateLimitForms))]
    public async Task RateLimited429_NothingIsSentUntilTheLimitPasses(string form, string? rateLimits, string? retryAfter, int seconds)
    {
        // Arrange
        var headers = new List<(string, string)>();
        if (rateLimits is not null)
        {
            headers.Add(("X-Sentry-Rate-Limits", rateLimits));
        }

        if (retryAfter is not null)
        {
            headers.Add(("Retry-After", retryAfter));
        }

        Receiver.ThenRespond(429, headers.ToArray());
        using var exporter = NewExporter();

        // Act & Assert: the 429 itself is not retried...
        await exporter.ExportAsync(Batch("limited"), CancellationToken.None);
        Assert.Equal(1, Receiver.Attempts);
        Assert.Equal(Start.AddSeconds(seconds), exporter.RateLimitedUntil);

        // ...nothing is sent while the limit lasts...
        await exporter.ExportAsync(Batch("held 1", "held 2"), CancellationToken.None);
        Clock.Advance(TimeSpan.FromSeconds(seconds) - TimeSpan.FromMilliseconds(1));
        await exporter.ExportAsync(Batch("held 3"), CancellationToken.None);
        Assert.True(Receiver.Attempts == 1, form);
        Assert.Equal(4, exporter.DroppedCount);

        // ...and the next one after it goes out, and recovery is logged once.
        Clock.Advance(TimeSpan.FromMilliseconds(1));
        await exporter.ExportAsync(Batch("after"), CancellationToken.None);
        Assert.Equal(["limited", "after"], Receiver.Received.Select(r => r.Transaction));
        Assert.Equal(1, Logs.Count(3002));
        Assert.Equal(1, Logs.Count(3003));
        Assert.Equal(SentryTransportState.Healthy, exporter.State);
    }

    [Fact]
    public async Task RateLimitForOtherCategoriesOnly_TransactionsKeepFlowing()
    {
        Receiver.ThenRespond(429, ("X-Sentry-Rate-Limits", "60:error;attachment:key"));
        using var exporter = NewExporter();

        await exporter.ExportAsync(Batch("dropped by the server", "next"), CancellationToken.None);

        Assert.Equal(["dropped by the server", "next"], Receiver.Received.Select(r => r.Transaction));
        Assert.Equal(1, exporter.DeliveredCount);
    }

    [Fact]
    public async Task RateLimitHeaderOnA200_IsHonouredForTheNextOnes()
    {
        Receiver.ThenRespond(200, ("X-Sentry-Rate-Limits", "30:transaction:key"));
        using var exporter = NewExporter();

        await exporter.ExportAsync(Batch("accepted", "held"), CancellationToken.None);
        Clock.Advance(TimeSpan.FromSeconds(30));
        await exporter.ExportAsync(Batch("later"), CancellationToken.None);

        Assert.Equal(["accepted", "later"], Receiver.Received.Select(r => r.Transaction));
        Assert.Equal(1, exporter.DroppedCount);
    }

    [Fact]
    public async Task RetryAfterOnA503_StopsRetryingAndHoldsTheNextOnes()
    {
        Receiver.ThenRespond(503, ("Retry-After", "20"));
        using var exporter = NewExporter();

        await exporter.ExportAsync(Batch("a", "b"), CancellationToken.None);

        Assert.Equal(1, Receiver.Attempts);
        Assert.Equal(2, exporter.DroppedCount);
        Assert.Equal(Start.AddSeconds(20), exporter.RateLimitedUntil);
    }

    [Fact]
    public async Task CancelledWhileTheReceiverHangs_ReturnsWithoutThrowingAndDrops()
    {
        Receiver.ThenHang();
        using var exporter = NewExporter();
        using var cancellation = new CancellationTokenSource();

        var export = exporter.ExportAsync(Batch("a", "b"), cancellation.Token);
        for (var waited = 0; Receiver.Attempts == 0; waited++)
        {
            Assert.True(waited < 3000, "the request never reached the receiver");
            await Task.Delay(10);
        }

        await cancellation.CancelAsync();
        await export;

        Assert.Equal(2, exporter.DroppedCount);
        Assert.Equal(1, Logs.Count(3008));
    }
}
