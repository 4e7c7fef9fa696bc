using System.Buffers;
using System.Diagnostics;
using System.IO.Compression;
using BenchmarkDotNet.Attributes;
using TraceMiddleware.Export;
using TraceMiddleware.Export.Sentry;
using TraceMiddleware.Propagation;
using TraceMiddleware.Tracing;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.Benchmarks;

/// <summary>
/// Serialising one transaction of <see cref="SpanCount"/> spans (the root and nine children, each with the
/// data tags a real http.server / db / http.client span carries) into a reused buffer, as the exporter does.
/// Spans per second on one core = SpanCount / (mean ns × 1e-9).
/// </summary>
[MemoryDiagnoser]
public class EnvelopeWriterBenchmarks
{
    public const int SpanCount = 10;

    private readonly ArrayBufferWriter<byte> _output = new(16 * 1024);
    private readonly MemoryStream _compressed = new();
    private EnvelopeWriter _writer = null!;
    private SentryTransaction _transaction = null!;

    [GlobalSetup]
    public void Setup()
    {
        _writer = new EnvelopeWriter(TimeProvider.System);
        var start = DateTime.UtcNow;
        var root = Finished("GET /orders/{id}", ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), start, 250,
            (SpanTags.Op, "http.server"), (SpanTags.Origin, "auto.http.aspnetcore"), (SpanTags.Status, "ok"), (SpanTags.Source, "route"),
            (SpanTags.HttpRequestMethod, "GET"), (SpanTags.UrlPath, "/orders/42"), (SpanTags.HttpRoute, "/orders/{id}"), (SpanTags.HttpResponseStatusCode, 200));
        var children = new List<Activity>();
        for (var i = 0; i < SpanCount - 1; i++)
        {
            children.Add(i % 2 == 0
                ? Finished("SELECT * FROM orders WHERE id = @id", root.TraceId, root.SpanId, start.AddMilliseconds(i * 20), 15,
                    (SpanTags.Op, "db.query"), (SpanTags.Origin, "manual"), (SpanTags.Status, "ok"), ("db.system", "postgresql"), ("db.rows", 3L))
                : Finished("POST http://payments/charge", root.TraceId, root.SpanId, start.AddMilliseconds(i * 20), 18,
                    (SpanTags.Op, "http.client"), (SpanTags.Origin, "auto.http.httpclient"), (SpanTags.Status, "ok"),
                    (SpanTags.HttpRequestMethod, "POST"), (SpanTags.UrlFull, "http://payments/charge"), (SpanTags.ServerAddress, "payments"), (SpanTags.HttpResponseStatusCode, 200)));
        }

        var dsc = DynamicSamplingContext.CreateHead(root.TraceId, "publickey", "shop@1.4.0", "production", "1", root.DisplayName, true, "0.25", 1.0);
        _transaction = new SentryTransaction(root, children, 0, dsc, "route", "shop@1.4.0", "production", reportParentSpanId: true);
    }

    [Benchmark(Baseline = true)]
    public int WriteEnvelope()
    {
        _output.ResetWrittenCount();
        _writer.Write(_transaction, _output);
        return _output.WrittenCount;
    }

    [Benchmark]
    public long WriteEnvelopeAndGzip()
    {
        _output.ResetWrittenCount();
        _writer.Write(_transaction, _output);
        _compressed.SetLength(0);
        using (var gzip = new GZipStream(_compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(_output.WrittenSpan);
        }

        return _compressed.Length;
    }

    private static Activity Finished(string name, ActivityTraceId traceId, ActivitySpanId parent, DateTime start, int milliseconds, params (string Key, object Value)[] tags)
    {
        var activity = new Activity(name).SetIdFormat(ActivityIdFormat.W3C).SetParentId(traceId, parent, ActivityTraceFlags.Recorded).SetStartTime(start);
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
