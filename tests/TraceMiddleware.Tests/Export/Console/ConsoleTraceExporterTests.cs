using System.Diagnostics;
using Microsoft.Extensions.Logging;
using TraceMiddleware.Export;
using TraceMiddleware.Export.Console;
using TraceMiddleware.Propagation;
using TraceMiddleware.Testing;
using TraceMiddleware.Tracing;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.Tests.Export.Console;

public sealed class ConsoleTraceExporterTests
{
    private static readonly DateTime T0 = new(2025, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    private static Activity Span(string name, string? op, Activity? parent, double startMs, double durationMs, string? status = null)
    {
        var previous = Activity.Current;
        var span = new Activity(name);
        span.SetIdFormat(ActivityIdFormat.W3C);
        if (parent is not null)
        {
            span.SetParentId(parent.TraceId, parent.SpanId);
        }

        span.SetStartTime(T0.AddMilliseconds(startMs));
        span.Start();
        Activity.Current = previous;
        if (op is not null)
        {
            span.SetTag(SpanTags.Op, op);
        }

        if (status is not null)
        {
            span.SetTag(SpanTags.Status, status);
        }

        span.SetEndTime(T0.AddMilliseconds(startMs + durationMs));
        return span;
    }

    private static SentryTransaction Tx(Activity root, IReadOnlyList<Activity> spans, int dropped = 0) =>
        new(root, spans, dropped, DynamicSamplingContext.Empty, "route", null, "development", false);

    [Fact]
    public void FormatTree_IndentsChildrenUnderTheirParent_InStartOrder()
    {
        var root = Span("GET /orders/{id}", "http.server", null, 0, 25, "ok");
        var db = Span("SELECT 1", "db.query", root, 1, 3.24);
        var call = Span("GET http://127.0.0.1:5000/x", "http.client", root, 5, 10, "not_found");
        var dns = Span("resolve", null, call, 6, 1);

        var tree = ConsoleTraceExporter.FormatTree(Tx(root, [dns, call, db]));

        Assert.Equal(
            """
            http.server  GET /orders/{id}  25.0 ms  ok
              db.query  SELECT 1  3.2 ms  ok
              http.client  GET http://127.0.0.1:5000/x  10.0 ms  not_found
                default  resolve  1.0 ms  ok
            """.ReplaceLineEndings("\n"),
            tree);
    }

    [Fact]
    public void FormatTree_SpanWhoseParentIsMissing_IsShownUnderTheRoot()
    {
        var root = Span("job", "task", null, 0, 5);
        var elsewhere = Span("not exported", "function", root, 1, 1);
        var orphan = Span("orphan", "db.query", elsewhere, 2, 1);

        var tree = ConsoleTraceExporter.FormatTree(Tx(root, [orphan]));

        Assert.Equal(["task  job  5.0 ms  ok", "  db.query  orphan  1.0 ms  ok"], tree.Split('\n'));
    }

    [Fact]
    public void FormatTree_DroppedSpans_AreCountedOnALastLine()
    {
        var root = Span("job", "task", null, 0, 5);

        var tree = ConsoleTraceExporter.FormatTree(Tx(root, [], dropped: 3));

        Assert.EndsWith("\n  (+3 spans dropped)", tree, StringComparison.Ordinal);
    }

    [Fact]
    public void FormatTree_WithoutASentryStatus_ShowsWhatSentryIsSent()
    {
        // A free-form error description is not a Sentry status: the envelope says internal_error, and so does the tree.
        var root = Span("job", "task", null, 0, 5);
        root.SetStatus(ActivityStatusCode.Error, "database timed out");
        var child = Span("child", "task", root, 1, 1);
        child.SetStatus(ActivityStatusCode.Ok);
        var unset = Span("unset", "task", root, 2, 1);

        var lines = ConsoleTraceExporter.FormatTree(Tx(root, [child, unset])).Split('\n');

        Assert.EndsWith("  internal_error", lines[0], StringComparison.Ordinal);
        Assert.EndsWith("  ok", lines[1], StringComparison.Ordinal);
        Assert.EndsWith("  ok", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public void FormatTree_LineBreaksInNames_CannotForgeLines()
    {
        var root = Span("GET /a\nhttp.server  GET /forged\r", "http.server", null, 0, 1);

        var tree = ConsoleTraceExporter.FormatTree(Tx(root, []));

        Assert.DoesNotContain('\n', tree);
        Assert.DoesNotContain('\r', tree);
    }

    [Fact]
    public void FormatTree_DeepChain_IsIndentedOneStepPerLevel()
    {
        var root = Span("root", "task", null, 0, 100);
        var spans = new List<Activity>();
        var parent = root;
        for (var i = 0; i < 50; i++)
        {
            parent = Span("level " + (i + 1), "function", parent, i + 1, 1);
            spans.Add(parent);
        }

        var lines = ConsoleTraceExporter.FormatTree(Tx(root, spans)).Split('\n');

        Assert.Equal(51, lines.Length);
        Assert.StartsWith(new string(' ', 100) + "function  level 50", lines[50], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExportAsync_LogsOneTreePerTransaction_AtInformation_UnderTraceMiddlewareConsole()
    {
        var logs = new CapturingLoggerProvider();
        var exporter = new ConsoleTraceExporter(logs.CreateFactory());
        var a = Span("a", "task", null, 0, 1);
        var b = Span("b", "task", null, 0, 1);

        await exporter.ExportAsync([Tx(a, []), Tx(b, [])], CancellationToken.None);

        var entries = logs.Entries.ToList();
        Assert.Equal(2, entries.Count);
        Assert.All(entries, e => Assert.Equal(("TraceMiddleware.Console", LogLevel.Information, 2010), (e.Category, e.Level, e.EventId.Id)));
        Assert.Equal($"Trace {a.TraceId.ToHexString()}\ntask  a  1.0 ms  ok", entries[0].Message);
    }
}
