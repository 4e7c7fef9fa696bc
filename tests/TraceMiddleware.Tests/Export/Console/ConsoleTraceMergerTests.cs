using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using TraceMiddleware.Export.Console;
using TraceMiddleware.Testing;
using static TraceMiddleware.Tests.Export.Console.ConsoleSpans;

namespace TraceMiddleware.Tests.Export.Console;

public sealed class ConsoleTraceMergerTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly ConsoleTraceMerger _merger;

    public ConsoleTraceMergerTests() => _merger = new ConsoleTraceMerger(_time);

    private static (CapturingLoggerProvider Logs, ILogger Logger) Host()
    {
        var logs = new CapturingLoggerProvider();
        return (logs, logs.CreateFactory().CreateLogger(ConsoleTraceExporter.CategoryName));
    }

    private static ConsoleTraceRoot Server(string service, int trace, int id, double startMs, int parent = 0) =>
        Root(service, trace, Span(id, parent, "http.server", service + " request", startMs, 1));

    [Fact]
    public void Window_IsTwoSeconds()
    {
        Assert.Equal(TimeSpan.FromSeconds(2), ConsoleTraceMerger.Window);
    }

    [Fact]
    public void RootsOfOneTrace_WithinTheWindow_AreLoggedOnce_AsOneTree_WhenTheWindowEnds()
    {
        // Arrange
        var (logs, logger) = Host();
        var sink = _merger.Attach(logger);

        // Act: payments finishes first, orders a moment later.
        _merger.Offer(sink, Server("payments", 1, 0x30, startMs: 20));
        _time.Advance(TimeSpan.FromMilliseconds(300));
        _merger.Offer(sink, Server("orders", 1, 0x20, startMs: 10));
        _time.Advance(ConsoleTraceMerger.Window - TimeSpan.FromMilliseconds(300) - TimeSpan.FromTicks(1));
        var beforeTheEnd = logs.Entries.Count;
        _time.Advance(TimeSpan.FromTicks(1));

        // Assert: nothing before the window ends; then one tree, in start order.
        Assert.Equal(0, beforeTheEnd);
        var tree = Assert.Single(logs.Entries);
        Assert.Equal((2010, LogLevel.Information, ConsoleTraceExporter.CategoryName), (tree.EventId.Id, tree.Level, tree.Category));
        Assert.Equal(
            $"Trace {Trace(1).ToHexString()}\n[orders] http.server  orders request  1.0 ms  ok  #00000020\n[payments] http.server  payments request  1.0 ms  ok  #00000030",
            tree.Message);
        Assert.Equal(0, _merger.PendingTraceCount);
    }

    [Fact]
    public void ARootAfterTheWindow_StartsATreeOfItsOwn_MarkedContinued()
    {
        var (logs, logger) = Host();
        var sink = _merger.Attach(logger);
        _merger.Offer(sink, Server("storefront", 1, 0x10, startMs: 0));
        _time.Advance(ConsoleTraceMerger.Window);

        _merger.Offer(sink, Server("orders", 1, 0x20, startMs: 5000));
        _time.Advance(ConsoleTraceMerger.Window);

        var trees = logs.Entries.Select(e => e.Message.Split('\n')).ToList();
        Assert.Equal(2, trees.Count);
        Assert.StartsWith("[storefront]", trees[0][1], StringComparison.Ordinal);
        Assert.Equal(ConsoleTreeFormatter.ContinuedLine, trees[1][1]);
        Assert.StartsWith("[orders]", trees[1][2], StringComparison.Ordinal);
    }

    [Fact]
    public void EachTrace_WaitsFromItsOwnFirstRoot()
    {
        var (logs, logger) = Host();
        var sink = _merger.Attach(logger);
        _merger.Offer(sink, Server("a", 1, 1, 0));
        _time.Advance(TimeSpan.FromSeconds(1));
        _merger.Offer(sink, Server("b", 2, 2, 0));

        _time.Advance(TimeSpan.FromSeconds(1));
        var afterTheFirstWindow = logs.Entries.Select(e => e.Message).ToList();
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.StartsWith($"Trace {Trace(1).ToHexString()}", Assert.Single(afterTheFirstWindow), StringComparison.Ordinal);
        Assert.StartsWith($"Trace {Trace(2).ToHexString()}", logs.Entries.Last().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheBrowsersSpans_JoinOnlyATraceThatWaits()
    {
        var (logs, logger) = Host();
        var sink = _merger.Attach(logger);
        var browser = Root("browser", 1, Span(0x10, 0, "ui.action", "process_order", 0, 50), Span(0x11, 0x10, "http.client", "POST /api/orders", 1, 48));

        var alone = _merger.TryJoin(sink, browser);
        _merger.Offer(sink, Server("orders", 1, 0x20, startMs: 5, parent: 0x11));
        var withOrders = _merger.TryJoin(sink, browser);
        _time.Advance(ConsoleTraceMerger.Window);

        Assert.False(alone);
        Assert.True(withOrders);
        var lines = Assert.Single(logs.Entries).Message.Split('\n');
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("[browser] ui.action  process_order", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("  http.client  POST /api/orders", lines[2], StringComparison.Ordinal);
        Assert.StartsWith("    [orders] http.server", lines[3], StringComparison.Ordinal);
    }

    [Fact]
    public void PastMaxPendingTraces_TheOldestTraceIsLoggedEarly_NotDropped()
    {
        var (logs, logger) = Host();
        var sink = _merger.Attach(logger);
        for (var i = 1; i <= ConsoleTraceMerger.MaxPendingTraces; i++)
        {
            _merger.Offer(sink, Server("s", i, i, 0));
        }

        var whenFull = logs.Entries.Count;
        _merger.Offer(sink, Server("s", ConsoleTraceMerger.MaxPendingTraces + 1, 0x7fff, 0));

        Assert.Equal(0, whenFull);
        Assert.StartsWith($"Trace {Trace(1).ToHexString()}", Assert.Single(logs.Entries).Message, StringComparison.Ordinal);
        Assert.Equal(ConsoleTraceMerger.MaxPendingTraces, _merger.PendingTraceCount);
        _time.Advance(ConsoleTraceMerger.Window);
        Assert.Equal(ConsoleTraceMerger.MaxPendingTraces + 1, logs.Entries.Count);
        Assert.Equal(0, _merger.PendingTraceCount);
    }

    [Fact]
    public void PastMaxPendingSpans_TheOldestTracesAreLoggedEarly_AndTheCountStaysWithinIt()
    {
        var (logs, logger) = Host();
        var sink = _merger.Attach(logger);
        var perRoot = 999;
        var fits = ConsoleTraceMerger.MaxPendingSpans / (perRoot + 1);
        for (var i = 1; i <= fits; i++)
        {
            _merger.Offer(sink, Sized("s", i, i, perRoot));
        }

        var whenFull = (logs.Entries.Count, _merger.PendingSpanCount);
        _merger.Offer(sink, Sized("s", fits + 1, fits + 1, perRoot));

        Assert.Equal((0, fits * (perRoot + 1)), whenFull);
        Assert.StartsWith($"Trace {Trace(1).ToHexString()}", Assert.Single(logs.Entries).Message, StringComparison.Ordinal);
        Assert.True(_merger.PendingSpanCount <= ConsoleTraceMerger.MaxPendingSpans);
    }

    [Fact]
    public void ATraceThatGrowsPastMaxPendingSpans_WhenAloneIsLogged_AndItsNextRootStartsAContinuedTree()
    {
        var (logs, logger) = Host();
        var sink = _merger.Attach(logger);
        var roots = ConsoleTraceMerger.MaxPendingSpans / 1000;
        for (var i = 1; i <= roots; i++)
        {
            _merger.Offer(sink, Sized("s", 1, i, 999));
        }

        _merger.Offer(sink, Sized("s", 1, roots + 1, 999));

        Assert.Single(logs.Entries);
        Assert.Equal(1000, _merger.PendingSpanCount);
        _time.Advance(ConsoleTraceMerger.Window);
        Assert.Equal(ConsoleTreeFormatter.ContinuedLine, logs.Entries.Last().Message.Split('\n')[1]);
    }

    [Fact]
    public void ATraceWithMaxRootsPerTrace_IsLoggedAtOnce()
    {
        var (logs, logger) = Host();
        var sink = _merger.Attach(logger);
        for (var i = 1; i < ConsoleTraceMerger.MaxRootsPerTrace; i++)
        {
            _merger.Offer(sink, Server("s", 1, i, i));
        }

        var before = logs.Entries.Count;
        _merger.Offer(sink, Server("s", 1, ConsoleTraceMerger.MaxRootsPerTrace, 0));

        Assert.Equal(0, before);
        Assert.Equal(ConsoleTraceMerger.MaxRootsPerTrace + 1, Assert.Single(logs.Entries).Message.Split('\n').Length);
        Assert.Equal(0, _merger.PendingTraceCount);
    }

    [Fact]
    public void AHostThatDetaches_LeavesASharedTreeToTheHostStillAttached()
    {
        // Arrange: storefront and orders contributed to one trace; the storefront stops first.
        var (storefrontLogs, storefrontLogger) = Host();
        var (ordersLogs, ordersLogger) = Host();
        var storefront = _merger.Attach(storefrontLogger);
        var orders = _merger.Attach(ordersLogger);
        _merger.Offer(storefront, Server("storefront", 1, 0x10, 0));
        _merger.Offer(orders, Server("orders", 1, 0x20, 5));

        // Act
        storefront.Dispose();
        var atTheStorefrontsShutdown = storefrontLogs.Entries.Count + ordersLogs.Entries.Count;
        _time.Advance(ConsoleTraceMerger.Window);

        // Assert: the tree waited for its window and was logged, whole, by the host still running.
        Assert.Equal(0, atTheStorefrontsShutdown);
        Assert.Empty(storefrontLogs.Entries);
        Assert.Equal(3, Assert.Single(ordersLogs.Entries).Message.Split('\n').Length);
    }

    [Fact]
    public void TheLastContributorToDetach_LogsTheWaitingTreeAtOnce_ThroughItsOwnLogger()
    {
        var (aLogs, aLogger) = Host();
        var (bLogs, bLogger) = Host();
        var (otherLogs, otherLogger) = Host();
        var a = _merger.Attach(aLogger);
        var b = _merger.Attach(bLogger);
        _ = _merger.Attach(otherLogger);
        _merger.Offer(a, Server("a", 1, 1, 0));
        _merger.Offer(b, Server("b", 1, 2, 1));

        a.Dispose();
        b.Dispose();

        Assert.Empty(aLogs.Entries);
        Assert.Equal(3, Assert.Single(bLogs.Entries).Message.Split('\n').Length);
        Assert.Empty(otherLogs.Entries);
        Assert.Equal(0, _merger.PendingTraceCount);
    }

    [Fact]
    public void AHostThatDetaches_LogsItsOwnWaitingTrees_AndLeavesOthersAlone()
    {
        var (aLogs, aLogger) = Host();
        var (bLogs, bLogger) = Host();
        var a = _merger.Attach(aLogger);
        var b = _merger.Attach(bLogger);
        _merger.Offer(a, Server("a", 1, 1, 0));
        _merger.Offer(b, Server("b", 2, 2, 0));

        a.Dispose();

        Assert.StartsWith($"Trace {Trace(1).ToHexString()}", Assert.Single(aLogs.Entries).Message, StringComparison.Ordinal);
        Assert.Empty(bLogs.Entries);
        Assert.Equal(1, _merger.PendingTraceCount);
    }

    [Fact]
    public void ADetachedHost_CannotJoinTheBrowserToATree()
    {
        var (logs, logger) = Host();
        var other = _merger.Attach(Host().Logger);
        var sink = _merger.Attach(logger);
        _merger.Offer(other, Server("orders", 1, 0x20, 0));
        sink.Dispose();

        Assert.False(_merger.TryJoin(sink, Server("browser", 1, 0x10, 0)));
        Assert.Empty(logs.Entries);
    }
}
