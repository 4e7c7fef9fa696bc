using System.Diagnostics;
using TraceMiddleware.Export;
using TraceMiddleware.Propagation;
using TraceMiddleware.Tracing;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.IntegrationTests.Export.Sentry;

/// <summary>Finished transactions to export: a root with <paramref name="children"/> children, named so the receiver can tell them apart.</summary>
public static class ExportSamples
{
    public static SentryTransaction Transaction(string name, int children = 1)
    {
        var previous = Activity.Current;
        var start = DateTime.UtcNow;
        var root = Finished(name, ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), start, "http.server");
        var spans = new List<Activity>();
        for (var i = 0; i < children; i++)
        {
            spans.Add(Finished($"{name} child {i}", root.TraceId, root.SpanId, start.AddMilliseconds(i), "db.query"));
        }

        Activity.Current = previous;
        var dsc = DynamicSamplingContext.CreateHead(root.TraceId, "publickey", "1.0", "test", null, name, true, "0.5", 1.0);
        return new SentryTransaction(root, spans, 0, dsc, "route", "1.0", "test", reportParentSpanId: false);
    }

    private static Activity Finished(string name, ActivityTraceId traceId, ActivitySpanId parent, DateTime start, string op)
    {
        var activity = new Activity(name).SetIdFormat(ActivityIdFormat.W3C).SetParentId(traceId, parent, ActivityTraceFlags.Recorded).SetStartTime(start);
        activity.SetTag(SpanTags.Op, op);
        activity.SetTag(SpanTags.Origin, "manual");
        activity.SetTag(SpanTags.Status, "ok");
        activity.Start();
        activity.SetEndTime(start.AddMilliseconds(5));
        activity.Stop();
        return activity;
    }
}
