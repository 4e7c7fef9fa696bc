using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using TraceMiddleware.Configuration;
using TraceMiddleware.Export;
using TraceMiddleware.Export.Sentry;

namespace TraceMiddleware.Tests.Export.Sentry;

/// <summary>The exporter against an in-process handler: what it puts on the request and how it reads answers.</summary>
public class SentryTraceExporterTests
{
    private static readonly SentryDsn Dsn = SentryDsn.Parse("https://publickey@o1.ingest.example/sub/42");

    private static SentryTraceExporter NewExporter(
        RecordingHandler handler,
        SentryTransportOptions? options = null,
        TimeProvider? time = null) =>
        new(Dsn, options ?? new SentryTransportOptions { BaseBackoff = TimeSpan.Zero }, handler, NullLogger.Instance, time);

    [Fact]
    public async Task ExportAsync_SmallEnvelope_IsPostedUncompressedWithAuthAndContentType()
    {
        // Arrange
        var handler = new RecordingHandler();
        using var exporter = NewExporter(handler, new SentryTransportOptions { GzipThresholdBytes = int.MaxValue });

        // Act
        await exporter.ExportAsync([TestTransactions.WithTwoChildren()], CancellationToken.None);

        // Assert
        var request = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://o1.ingest.example/sub/api/42/envelope/", request.Uri.AbsoluteUri);
        Assert.Equal(
            $"Sentry sentry_version=7, sentry_client=sentry.dotnet.tracemiddleware/{SentrySdkInfo.Version}, sentry_key=publickey",
            request.Header("X-Sentry-Auth"));
        Assert.Equal("application/x-sentry-envelope", request.Header("Content-Type"));
        Assert.Null(request.Header("Content-Encoding"));
        Assert.Equal("GET /orders/{id}", ParsedEnvelope.Parse(request.Body).Payload.GetProperty("transaction").GetString());
        Assert.Equal(1, exporter.DeliveredCount);
    }

    [Fact]
    public async Task ExportAsync_EnvelopeOverTheThreshold_IsGzipped()
    {
        var handler = new RecordingHandler();
        using var exporter = NewExporter(handler, new SentryTransportOptions { GzipThresholdBytes = 100 });

        await exporter.ExportAsync([TestTransactions.WithTwoChildren()], CancellationToken.None);

        var request = Assert.Single(handler.Requests);
        Assert.Equal("gzip", request.Header("Content-Encoding"));
        using var gzip = new GZipStream(new MemoryStream(request.Body), CompressionMode.Decompress);
        using var plain = new MemoryStream();
        gzip.CopyTo(plain);
        Assert.Equal("GET /orders/{id}", ParsedEnvelope.Parse(plain.ToArray()).Payload.GetProperty("transaction").GetString());
    }

    [Fact]
    public async Task ExportAsync_CallerHasACurrentActivity_SendsWithNoneAndRestoresTheCallers()
    {
        // Arrange
        var handler = new RecordingHandler();
        using var exporter = NewExporter(handler);
        using var caller = new Activity("caller").Start();

        // Act
        await exporter.ExportAsync([TestTransactions.WithTwoChildren()], CancellationToken.None);

        // Assert
        Assert.Null(Assert.Single(handler.Requests).CurrentActivity);
        Assert.Same(caller, Activity.Current);
        Assert.Empty(Assert.Single(handler.Requests).TraceHeaders);
    }

    [Fact]
    public async Task ExportAsync_HandlerThrowsSomethingUnexpected_DoesNotThrowAndDrops()
    {
        var handler = new RecordingHandler { Respond = _ => throw new InvalidOperationException("boom") };
        using var exporter = NewExporter(handler);

        await exporter.ExportAsync([TestTransactions.WithTwoChildren(), TestTransactions.WithTwoChildren()], CancellationToken.None);

        Assert.Equal(SentryTransportOptions.DefaultMaxAttempts, handler.Requests.Count);
        Assert.Equal(2, exporter.DroppedCount);
        Assert.Equal(SentryTransportState.Unreachable, exporter.State);
    }

    [Fact]
    public async Task ExportAsync_RateLimitOn200_DeliversThenDropsUntilItPasses()
    {
        // Arrange
        var time = new FixedTimeProvider(TestTransactions.SentAt);
        var handler = new RecordingHandler
        {
            Respond = _ => new HttpResponseMessage(HttpStatusCode.OK) { Headers = { { "X-Sentry-Rate-Limits", "10:transaction:key" } } },
        };
        using var exporter = NewExporter(handler, time: time);

        // Act
        await exporter.ExportAsync([TestTransactions.WithTwoChildren(), TestTransactions.WithTwoChildren()], CancellationToken.None);
        time.Now += TimeSpan.FromSeconds(10);
        await exporter.ExportAsync([TestTransactions.WithTwoChildren()], CancellationToken.None);

        // Assert
        Assert.Equal(2, handler.Requests.Count);
        Assert.Equal(2, exporter.DeliveredCount);
        Assert.Equal(1, exporter.DroppedCount);
    }

    [Fact]
    public async Task ExportAsync_Cancelled_DropsTheBatchWithoutThrowing()
    {
        var handler = new RecordingHandler();
        using var exporter = NewExporter(handler);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await exporter.ExportAsync([TestTransactions.WithTwoChildren(), TestTransactions.WithTwoChildren()], cancelled.Token);

        Assert.Empty(handler.Requests);
        Assert.Equal(2, exporter.DroppedCount);
    }

    [Fact]
    public async Task ExportAsync_AfterDispose_DropsTheBatchWithoutThrowing()
    {
        var handler = new RecordingHandler();
        var exporter = NewExporter(handler);
        exporter.Dispose();

        await exporter.ExportAsync([TestTransactions.WithTwoChildren()], CancellationToken.None);

        Assert.Empty(handler.Requests);
        Assert.Equal(1, exporter.DroppedCount);
    }

    [Fact]
    public void Constructor_NoAttempts_IsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new SentryTraceExporter(Dsn, new SentryTransportOptions { MaxAttempts = 0 }, new RecordingHandler(), NullLogger.Instance, null));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(SentryTraceExporter.MaxConcurrentSendsLimit + 1)]
    [InlineData(int.MaxValue)]
    public void Constructor_MaxConcurrentSendsOutOfRange_IsRejected(int maxConcurrentSends)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new SentryTraceExporter(Dsn, new SentryTransportOptions { MaxConcurrentSends = maxConcurrentSends }, new RecordingHandler(), NullLogger.Instance, null));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(SentryTransportOptions.DefaultMaxConcurrentSends)]
    [InlineData(SentryTraceExporter.MaxConcurrentSendsLimit)]
    public async Task ExportAsync_AnyAllowedConcurrency_SendsEachTransactionOnce(int maxConcurrentSends)
    {
        // Arrange
        var handler = new RecordingHandler();
        using var exporter = NewExporter(handler, new SentryTransportOptions { MaxConcurrentSends = maxConcurrentSends, GzipThresholdBytes = int.MaxValue });
        var batch = Enumerable.Range(0, 100).Select(_ => TestTransactions.WithTwoChildren()).ToArray();

        // Act
        await exporter.ExportAsync(batch, CancellationToken.None);

        // Assert: each envelope names its own root span.
        var rootSpanIds = handler.Requests
            .Select(r => ParsedEnvelope.Parse(r.Body).Payload.GetProperty("contexts").GetProperty("trace").GetProperty("span_id").GetString())
            .Order(StringComparer.Ordinal);
        Assert.Equal(batch.Select(t => t.Root.SpanId.ToHexString()).Order(StringComparer.Ordinal), rootSpanIds);
        Assert.Equal(100, exporter.DeliveredCount);
    }

    [Fact]
    public void Options_DefaultMaxConcurrentSends_IsEight()
    {
        Assert.Equal(8, new SentryTransportOptions().MaxConcurrentSends);
        Assert.Equal(SentryTransportOptions.DefaultMaxConcurrentSends, new SentryTransportOptions().MaxConcurrentSends);
    }
}
