using System.Diagnostics;
using TraceMiddleware.Export;
using TraceMiddleware.Export.Console;
using TraceMiddleware.Propagation;
using TraceMiddleware.Tracing;
using static TraceMiddleware.Tests.Export.Console.ConsoleSpans;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.Tests.Export.Console;

public sealed class ConsoleTreeFormatterTests
{
    private static Activity Activity(string name, string? op, Activity? parent, double startMs, double durationMs, string? status = null)
    {
        var previous = System.Diagnostics.Activity.Current;
        var span = new Activity(name);
        span.SetIdFormat(ActivityIdFormat.W3C);
        if (parent is not null)
        {
            span.SetParentId(parent.TraceId, parent.SpanId);
        }

        span.SetStartTime(T0.AddMilliseconds(startMs));
        span.Start();
        System.Diagnostics.Activity.Current = previous;
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

    private static string Format(Activity root, IReadOnlyList<Activity> spans, int dropped = 0, bool reportParent = false) =>
        ConsoleTreeFormatter.Format([ConsoleTraceRoot.From(new SentryTransaction(root, spans, dropped, DynamicSamplingContext.Empty, "route", null, "development", reportParent), "shop")]);

    private static string Short(Activity span) => "#" + span.SpanId.ToHexString()[..8];

    [Fact]
    public void Format_IndentsChildrenUnderTheirParent_InStartOrder_WithTheServiceOnTheRoot()
    {
        var root = Activity("GET /orders/{id}", "http.server", null, 0, 25, "ok");
        var db = Activity("SELECT 1", "db.query", root, 1, 3.24);
        var call = Activity("GET http://127.0.0.1:5000/x", "http.client", root, 5, 10, "not_found");
        var dns = Activity("resolve", null, call, 6, 1);

        var tree = Format(root, [dns, call, db]);

        Assert.Equal(
            $"""
            [shop] http.server  GET /orders/{"{id}"}  25.0 ms  ok  {Short(root)}
              db.query  SELECT 1  3.2 ms  ok  {Short(db)}
              http.client  GET http://127.0.0.1:5000/x  10.0 ms  not_found  {Short(call)}
                resolve  resolve  1.0 ms  ok  {Short(dns)}
            """.ReplaceLineEndings("\n"),
            tree);
    }

    [Fact]
    public void Format_SpanWhoseParentIsMissing_IsShownUnderItsRoot()
    {
        var root = Activity("job", "task", null, 0, 5);
        var elsewhere = Activity("not exported", "function", root, 1, 1);
        var orphan = Activity("orphan", "db.query", elsewhere, 2, 1);

        var lines = Format(root, [orphan]).Split('\n');

        Assert.Equal([$"[shop] task  job  5.0 ms  ok  {Short(root)}", $"  db.query  orphan  1.0 ms  ok  {Short(orphan)}"], lines);
    }

    [Fact]
    public void Format_DroppedSpans_AreCountedOnALastLineUnderTheirRoot()
    {
        var root = Activity("job", "task", null, 0, 5);
        var child = Activity("child", "task", root, 1, 1);

        var lines = Format(root, [child], dropped: 3).Split('\n');

        Assert.Equal("  (+3 spans dropped)", lines[^1]);
        Assert.Equal(3, lines.Length);
    }

    [Fact]
    public void Format_WithoutASentryStatus_ShowsWhatSentryIsSent()
    {
        // A free-form error description is not a Sentry status: the envelope says internal_error, and so does the tree.
        var root = Activity("job", "task", null, 0, 5);
        root.SetStatus(ActivityStatusCode.Error, "database timed out");
        var child = Activity("child", "task", root, 1, 1);
        child.SetStatus(ActivityStatusCode.Ok);
        var unset = Activity("unset", "task", root, 2, 1);

        var lines = Format(root, [child, unset]).Split('\n');

        Assert.Contains("  internal_error  #", lines[0], StringComparison.Ordinal);
        Assert.Contains("  ok  #", lines[1], StringComparison.Ordinal);
        Assert.Contains("  ok  #", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public void Format_LineBreaksEscapesAndInvisibleCharactersInNames_CannotForgeLinesOrReachTheTerminal()
    {
        var root = Root("svc\n[x]", 1, Span(1, 0, "http.server\u001b[2J", "GET /a\nhttp.server  GET /forged\r\u202e\u200b\u2028\u0085", 0, 1));

        var tree = ConsoleTreeFormatter.Format([root]);

        // \r, the right-to-left override, the zero-width space, the line separator and NEL: five spaces.
        Assert.Equal("[svc [x]] http.server [2J  GET /a http.server  GET /forged" + new string(' ', 5) + "  1.0 ms  ok  #00000001", tree);
    }

    [Fact]
    public void Format_DeepChain_IsIndentedOneStepPerLevel()
    {
        var root = Activity("root", "task", null, 0, 100);
        var spans = new List<Activity>();
        var parent = root;
        for (var i = 0; i < 50; i++)
        {
            parent = Activity("level " + (i + 1), "function", parent, i + 1, 1);
            spans.Add(parent);
        }

        var lines = Format(root, spans).Split('\n');

        Assert.Equal(51, lines.Length);
        Assert.StartsWith(new string(' ', 100) + "function  level 50", lines[50], StringComparison.Ordinal);
    }

    [Fact]
    public void Format_ARootWhoseParentIsAnotherRootsSpan_IsDrawnUnderThatSpan_WithItsOwnService()
    {
        // The shape of an order: the browser's fetch calls orders, whose http.client span calls payments.
        var browser = Root("browser", 1, Span(0x10, 0, "ui.action", "process_order", 0, 100), Span(0x11, 0x10, "http.client", "POST /api/orders", 1, 98));
        var orders = Root("orders", 1, Span(0x20, 0x11, "http.server", "POST /api/orders", 5, 90), Span(0x21, 0x20, "db.query", "INSERT INTO orders", 6, 2), Span(0x22, 0x20, "http.client", "POST /charge", 10, 80));
        var payments = Root("payments", 1, Span(0x30, 0x22, "http.server", "POST /charge", 12, 70), Span(0x31, 0x30, "payment.charge", "charge card", 13, 50));

        // In the order they finished: payments, orders, then the browser.
        var tree = ConsoleTreeFormatter.Format([payments, orders, browser]);

        Assert.Equal(
            """
            [browser] ui.action  process_order  100.0 ms  ok  #00000010
              http.client  POST /api/orders  98.0 ms  ok  #00000011
                [orders] http.server  POST /api/orders  90.0 ms  ok  #00000020
                  db.query  INSERT INTO orders  2.0 ms  ok  #00000021
                  http.client  POST /charge  80.0 ms  ok  #00000022
                    [payments] http.server  POST /charge  70.0 ms  ok  #00000030
                      payment.charge  charge card  50.0 ms  ok  #00000031
            """.ReplaceLineEndings("\n"),
            tree);
    }

    [Fact]
    public void Format_RootsWithoutAParentAmongTheSpans_StartAtTheLeft_InStartOrder()
    {
        var late = Root("b", 1, Span(2, 0x99, "http.server", "GET /late", 50, 1));
        var early = Root("a", 1, Span(1, 0, "http.server", "GET /early", 10, 1));

        var lines = ConsoleTreeFormatter.Format([late, early]).Split('\n');

        Assert.StartsWith("[a] http.server  GET /early", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("[b] http.server  GET /late", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Format_RootsThatClaimToBeEachOthersChildren_AreEachDrawnOnce()
    {
        var a = Root("a", 1, Span(1, 0x22, "task", "a", 0, 1), Span(0x11, 1, "task", "a child", 1, 1));
        var b = Root("b", 1, Span(2, 0x11, "task", "b", 2, 1), Span(0x22, 2, "task", "b child", 3, 1));

        var lines = ConsoleTreeFormatter.Format([a, b]).Split('\n');

        Assert.Equal(4, lines.Length);
        Assert.Equal(4, lines.Select(l => l.Trim()).Distinct().Count());
    }

    [Fact]
    public void Format_Continued_SaysSoOnTheFirstLine()
    {
        var tree = ConsoleTreeFormatter.Format([Root("a", 1, Span(1, 0, "task", "a", 0, 1))], continued: true);

        Assert.Equal(ConsoleTreeFormatter.ContinuedLine, tree.Split('\n')[0]);
    }

    [Fact]
    public void From_ACallerThatSentNoSpanId_GivesTheRootNoParent()
    {
        var root = Activity("GET /", "http.server", null, 0, 1);
        root.SetParentId(root.TraceId, ActivitySpanId.CreateRandom());

        var reported = ConsoleTraceRoot.From(new SentryTransaction(root, [], 0, DynamicSamplingContext.Empty, "route", null, "development", reportParentSpanId: true), "s");
        var madeUp = ConsoleTraceRoot.From(new SentryTransaction(root, [], 0, DynamicSamplingContext.Empty, "route", null, "development", reportParentSpanId: false), "s");

        Assert.Equal(root.ParentSpanId, reported.Root.ParentSpanId);
        Assert.Equal(default, madeUp.Root.ParentSpanId);
    }
}
