using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using TraceMiddleware.Configuration;
using TraceMiddleware.Export;
using TraceMiddleware.Export.Console;
using TraceMiddleware.Propagation;
using TraceMiddleware.Testing;
using static TraceMiddleware.Tests.Export.Console.ConsoleSpans;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.Tests.Export.Console;

public sealed class ConsoleTraceExporterTests
{
    private static SentryTransaction Tx(string name)
    {
        var previous = Activity.Current;
        var root = new Activity(name);
        root.SetIdFormat(ActivityIdFormat.W3C);
        root.SetStartTime(T0);
        root.Start();
        Activity.Current = previous;
        root.SetEndTime(T0.AddMilliseconds(1));
        return new SentryTransaction(root, [], 0, DynamicSamplingContext.Empty, "route", null, "development", false);
    }

    [Fact]
    public async Task ExportAsync_LogsEachTraceAfterItsWindow_AtInformation_UnderTraceMiddlewareConsole_LabelledWithTheService()
    {
        var time = new FakeTimeProvider();
        var logs = new CapturingLoggerProvider();
        using var exporter = new ConsoleTraceExporter(logs.CreateFactory(), "orders", new ConsoleTraceMerger(time));
        var a = Tx("a");
        var b = Tx("b");

        await exporter.ExportAsync([a, b], CancellationToken.None);
        var atOnce = logs.Entries.Count;
        time.Advance(ConsoleTraceMerger.Window);

        Assert.Equal(0, atOnce);
        var entries = logs.Entries.ToList();
        Assert.Equal(2, entries.Count);
        Assert.All(entries, e => Assert.Equal((ConsoleTraceExporter.CategoryName, LogLevel.Information, 2010), (e.Category, e.Level, e.EventId.Id)));
        Assert.Equal($"Trace {a.Root.TraceId.ToHexString()}\n[orders] a  a  1.0 ms  ok  #{a.Root.SpanId.ToHexString()[..8]}", entries[0].Message);
    }

    [Fact]
    public async Task Dispose_LogsTheHostsWaitingTreesAtOnce()
    {
        var logs = new CapturingLoggerProvider();
        var exporter = new ConsoleTraceExporter(logs.CreateFactory(), "orders", new ConsoleTraceMerger(new FakeTimeProvider()));
        await exporter.ExportAsync([Tx("a")], CancellationToken.None);

        exporter.Dispose();

        Assert.Single(logs.Entries);
    }

    [Fact]
    public async Task FlushAsync_TheHostStops_LogsItsWaitingTreesAtOnce_AndLaterExportsStraightAway()
    {
        var logs = new CapturingLoggerProvider();
        using var exporter = new ConsoleTraceExporter(logs.CreateFactory(), "orders", new ConsoleTraceMerger(new FakeTimeProvider()));
        await exporter.ExportAsync([Tx("a")], CancellationToken.None);

        await exporter.FlushAsync(CancellationToken.None);
        var atStop = logs.Entries.Count;
        await exporter.ExportAsync([Tx("late")], CancellationToken.None);

        Assert.Equal(1, atStop);
        Assert.Equal(2, logs.Entries.Count);
    }

    [Theory]
    [InlineData(null, "Shop", "Shop")]
    [InlineData("orders", "Shop", "orders")]
    [InlineData("  payments ", "Shop", "payments")]
    [InlineData(null, "", "app")]
    public void ServiceNameOf_IsTheOption_ElseTheApplicationName(string? option, string applicationName, string expected)
    {
        var environment = new TestEnvironment { ApplicationName = applicationName };

        Assert.Equal(expected, ConsoleTraceExporter.ServiceNameOf(new TracingOptions { ServiceName = option }, environment));
    }

    private sealed class TestEnvironment : Microsoft.Extensions.Hosting.IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Development";

        public string ApplicationName { get; set; } = string.Empty;

        public string ContentRootPath { get; set; } = string.Empty;

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}
