using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using TraceMiddleware.Configuration;
using TraceMiddleware.Export;
using TraceMiddleware.Export.Sentry;
using TraceMiddleware.InteropTests.Infrastructure;
using TraceMiddleware.Propagation;
using TraceMiddleware.Tracing;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.InteropTests;

/// <summary>
/// Our envelopes against a real receiver: Spotlight, Sentry's local viewer, parses what the exporter posts
/// and <c>spotlight tail</c> prints what it understood (see <see cref="SpotlightProcess"/> for what it needs).
/// </summary>
public sealed class SpotlightTests : IAsyncLifetime
{
    private static readonly TimeSpan TailTimeout = TimeSpan.FromSeconds(60);

    private SpotlightProcess _spotlight = null!;

    public async Task InitializeAsync() => _spotlight = await SpotlightProcess.StartAsync();

    public async Task DisposeAsync() => await _spotlight.DisposeAsync();

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(0)]
    public async Task Spotlight_ParsesOurTransaction_WithOurTraceIdOpAndStatus(int gzipThresholdBytes)
    {
        // Arrange
        var transaction = TransactionWithAChild();
        var dsn = SentryDsn.Parse($"http://publickey@127.0.0.1:{_spotlight.Port}/0");
        using var exporter = new SentryTraceExporter(dsn, new SentryTransportOptions { GzipThresholdBytes = gzipThresholdBytes }, null, NullLogger.Instance, null);

        // Act
        await exporter.ExportAsync([transaction], CancellationToken.None);
        var parsed = await _spotlight.TailTraceAsync(transaction.Root.TraceId.ToHexString(), TailTimeout);

        // Assert
        Assert.Equal(1, exporter.DeliveredCount);
        Assert.Equal("trace", parsed.GetProperty("type").GetString());
        Assert.Equal(transaction.Root.TraceId.ToHexString(), parsed.GetProperty("trace_id").GetString());
        Assert.Equal(transaction.Root.SpanId.ToHexString(), parsed.GetProperty("span_id").GetString());
        Assert.Equal("http.server", parsed.GetProperty("op").GetString());
        Assert.Equal("not_found", parsed.GetProperty("status").GetString());
        Assert.Equal("GET /orders/{id}", parsed.GetProperty("transaction").GetString());
        Assert.Equal(1, parsed.GetProperty("span_count").GetInt32());
        Assert.Equal(250, parsed.GetProperty("duration_ms").GetDouble());
        Assert.Equal("csharp", parsed.GetProperty("platform").GetString());
        Assert.Equal("production", parsed.GetProperty("environment").GetString());
    }

    private static SentryTransaction TransactionWithAChild()
    {
        var previous = Activity.Current;
        var start = DateTime.UtcNow;
        var root = Finished("GET /orders/{id}", ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), start, 250, (SpanTags.Op, "http.server"), (SpanTags.Status, "not_found"), (SpanTags.HttpResponseStatusCode, 404));
        var child = Finished("SELECT * FROM orders", root.TraceId, root.SpanId, start.AddMilliseconds(10), 40, (SpanTags.Op, "db.query"), (SpanTags.Status, "ok"));
        Activity.Current = previous;
        var dsc = DynamicSamplingContext.CreateHead(root.TraceId, "publickey", "shop@1.0.0", "production", null, root.DisplayName, true, "0.5", 1.0);
        return new SentryTransaction(root, [child], 0, dsc, "route", "shop@1.0.0", "production", reportParentSpanId: true);
    }

    private static Activity Finished(string name, ActivityTraceId traceId, ActivitySpanId parent, DateTime start, int milliseconds, params (string Key, object Value)[] tags)
    {
        var activity = new Activity(name).SetIdFormat(ActivityIdFormat.W3C).SetParentId(traceId, parent, ActivityTraceFlags.Recorded).SetStartTime(start);
        activity.SetTag(SpanTags.Origin, "auto.http.aspnetcore");
        foreach (var (key, value) in tags)
        {
            activity.SetTag(key, value);
        }

        activity.Start();
        activity.SetEndTime(start.AddMilliseconds(milliseconds));
        activity.Stop();
        return activity;
    }
}
