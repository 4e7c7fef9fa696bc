using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using TraceMiddleware.Export.Console;
using TraceMiddleware.Testing;

namespace TraceMiddleware.IntegrationTests.Export;

/// <summary>The development trace tree, as a real host logs it.</summary>
public sealed class ConsoleExporterTests
{
    private static async Task<(string TraceId, IReadOnlyList<CapturedLog> Trees, int ConsoleExporters)> RunAsync(string environment, Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?> { ["Tracing:TracesSampleRate"] = "1" };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        var logs = new CapturingLoggerProvider();
        var factory = ExportHosts.Minimal(settings, logs: logs, environment: environment);
        var traceId = await ExportHosts.GetSampledAsync(factory.CreateClient(), "/manual");
        var consoleExporters = factory.Pipeline().Exporters.Count(e => e.Exporter is ConsoleTraceExporter);
        await SpanCollector.WaitForRequestAsync(traceId);
        await Eventually.TrueAsync(() => factory.Pipeline().Exporters.Count == 0 || factory.Pipeline().Queue.OfferedCount == 1, "the transaction offered to the queue");

        // Shutdown flushes the queue, and the console logs the trees only this host had a part in: after it,
        // everything the exporters will log is logged.
        await factory.DisposeAsync();

        return (traceId, logs.Entries.Where(e => e.Category == "TraceMiddleware.Console").ToList(), consoleExporters);
    }

    [Fact]
    public async Task Development_WithoutDsn_LogsTheTree_WithOpsAndIndentation()
    {
        var (traceId, trees, _) = await RunAsync("Development");

        var tree = Assert.Single(trees);
        Assert.Equal(2010, tree.EventId.Id);
        var lines = tree.Message.Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.Equal($"Trace {traceId}", lines[0]);
        Assert.Matches(@"^\[MinimalApp\] http\.server  GET /manual  \d+\.\d ms  ok  #[0-9a-f]{8}$", lines[1]);
        Assert.Matches(@"^  db\.query  INSERT INTO orders  \d+\.\d ms  ok  #[0-9a-f]{8}$", lines[2]);
    }

    [Theory]
    [InlineData("Production", null, 0)]
    [InlineData("Staging", null, 0)]
    [InlineData("Production", "true", 1)]
    [InlineData("Development", "false", 0)]
    [InlineData("Development", "", 1)]
    public async Task ConsoleExporterOption_DecidesWhetherTheTreeIsLogged(string environment, string? option, int expected)
    {
        var (_, trees, exporters) = await RunAsync(environment, option is null ? null : new() { ["Tracing:ConsoleExporter"] = option });

        Assert.Equal(expected, exporters);
        Assert.Equal(expected, trees.Count);
    }

    [Fact]
    public async Task Development_WithADsn_DoesNotLogTheTree()
    {
        var (_, trees, exporters) = await RunAsync("Development", new() { ["Tracing:Dsn"] = "https://publickey@o1.ingest.sentry.io/42" });

        Assert.Equal(0, exporters);
        Assert.Empty(trees);
    }

    [Fact]
    public async Task WithADsn_ConsoleExporterTrue_StillLogsTheTree()
    {
        var (_, trees, _) = await RunAsync("Production", new() { ["Tracing:Dsn"] = "https://publickey@o1.ingest.sentry.io/42", ["Tracing:ConsoleExporter"] = "true" });

        Assert.Matches(new Regex("^  db\\.query  INSERT INTO orders", RegexOptions.Multiline), Assert.Single(trees).Message);
    }
}
