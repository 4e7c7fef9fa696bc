using System.Diagnostics;
using System.Text;
using TraceMiddleware.Export;
using TraceMiddleware.Propagation;
using TraceMiddleware.Tracing;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.Tests.Export.Sentry;

/// <summary>
/// Finished activities with fixed trace ids and times. Activity draws its own span ids, so
/// <see cref="Normalize"/> rewrites them to fixed ones (same length, so item lengths stay right).
/// </summary>
public static class TestTransactions
{
    public const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    public const string CallerSpanId = "00f067aa0ba902b7";
    public const string EventId = "0123456789abcdef0123456789abcdef";

    public static readonly DateTime Start = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    public static readonly DateTimeOffset SentAt = new(2025, 1, 1, 0, 0, 1, 500, TimeSpan.Zero);

    public static Guid FixedEventId() => Guid.ParseExact(EventId, "N");

    /// <summary>An http.server root with a db child and a failed http.client child.</summary>
    public static SentryTransaction WithTwoChildren()
    {
        var root = Finished(
            "GET /orders/{id}",
            ActivityTraceId.CreateFromString(TraceId),
            ActivitySpanId.CreateFromString(CallerSpanId),
            Start,
            TimeSpan.FromMilliseconds(250),
            (SpanTags.Op, "http.server"),
            (SpanTags.Origin, "auto.http.aspnetcore"),
            (SpanTags.Status, "ok"),
            (SpanTags.Source, "route"),
            (SpanTags.HttpRequestMethod, "GET"),
            (SpanTags.UrlPath, "/orders/42"),
            (SpanTags.HttpRoute, "/orders/{id}"),
            (SpanTags.HttpResponseStatusCode, 200));

        // 10.1234567 ms: the last 100 ns tick is below Sentry's microsecond precision and is cut.
        var query = Finished(
            "SELECT * FROM orders WHERE id = @id",
            root.TraceId,
            root.SpanId,
            Start.AddTicks(101_234),
            TimeSpan.FromTicks(405_000),
            (SpanTags.Op, "db.query"),
            (SpanTags.Origin, "manual"),
            ("db.system", "postgresql"),
            ("db.rows", 3L),
            ("db.cached", false),
            ("db.ratio", 0.5));

        var call = Finished(
            "POST http://payments/charge",
            root.TraceId,
            root.SpanId,
            Start.AddMilliseconds(100),
            TimeSpan.FromMilliseconds(120),
            (SpanTags.Op, "http.client"),
            (SpanTags.Origin, "auto.http.httpclient"),
            (SpanTags.HttpRequestMethod, "POST"),
            (SpanTags.UrlFull, "http://payments/charge"),
            (SpanTags.ServerAddress, "payments"),
            (SpanTags.HttpResponseStatusCode, 502));
        call.SetStatus(ActivityStatusCode.Error);

        var dsc = DynamicSamplingContext.CreateHead(
            root.TraceId, "publickey", "shop@1.4.0", "production", "1", "GET /orders/{id}", true, "0.25", 1.0);
        return new SentryTransaction(root, [query, call], 0, dsc, "route", "shop@1.4.0", "production", reportParentSpanId: true);
    }

    public static Activity Finished(
        string name,
        ActivityTraceId traceId,
        ActivitySpanId parentSpanId,
        DateTime start,
        TimeSpan duration,
        params (string Key, object? Value)[] tags)
    {
        var previous = Activity.Current;
        var activity = new Activity(name);
        activity.SetIdFormat(ActivityIdFormat.W3C);
        activity.SetParentId(traceId, parentSpanId, ActivityTraceFlags.Recorded);
        activity.SetStartTime(start);
        foreach (var (key, value) in tags)
        {
            activity.SetTag(key, value);
        }

        activity.Start();
        activity.SetEndTime(start + duration);
        activity.Stop();
        Activity.Current = previous;
        return activity;
    }

    public static SentryTransaction Single(Activity root, DynamicSamplingContext? dsc = null, bool reportParentSpanId = false, string? release = null)
        => new(root, [], 0, dsc ?? DynamicSamplingContext.Empty, "custom", release, "production", reportParentSpanId);

    /// <summary>The envelope text with each activity's span id replaced by a000000000000001, …2, …, in the order given.</summary>
    public static byte[] Normalize(byte[] envelope, SentryTransaction transaction)
    {
        var text = Encoding.UTF8.GetString(envelope);
        var activities = new List<Activity> { transaction.Root };
        activities.AddRange(transaction.Activities);
        for (var i = 0; i < activities.Count; i++)
        {
            text = text.Replace(activities[i].SpanId.ToHexString(), $"a{i + 1:x15}", StringComparison.Ordinal);
        }

        return Encoding.UTF8.GetBytes(text);
    }
}
