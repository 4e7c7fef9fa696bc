using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TraceMiddleware.Configuration;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.Export.Console;

/// <summary>
/// The development view: one compact tree per trace, logged at Information level under the category
/// <c>TraceMiddleware.Console</c>. The transactions of one trace from every host of the process that has a
/// console exporter, and the browser's that reach a tunnel, are drawn together (<see cref="ConsoleTraceMerger"/>),
/// each root labelled with its service (<see cref="TracingOptions.ServiceName"/>).
/// </summary>
/// <remarks>
/// One per host, a singleton of its services. When the host stops (the pipeline's flush, once its last
/// transactions are handed in) it detaches from the merger: the waiting trees no other running host had a part
/// in are logged then, through this host's logger, while it still works. Disposing detaches too, for a host that
/// never ran its pipeline.
/// </remarks>
internal sealed class ConsoleTraceExporter : ITraceExporter, IFlushableTraceExporter, IDisposable
{
    public const string CategoryName = "TraceMiddleware.Console";

    /// <summary>The label of the browser's spans.</summary>
    public const string BrowserServiceName = "browser";

    private readonly ILogger _logger;
    private readonly ConsoleTraceMerger _merger;
    private readonly ConsoleTraceSink _sink;

    /// <param name="loggerFactory">The host's loggers.</param>
    /// <param name="serviceName">The label of this host's roots.</param>
    /// <param name="merger">Where trees are gathered; the process's <see cref="ConsoleTraceMerger.Shared"/> when null.</param>
    public ConsoleTraceExporter(ILoggerFactory loggerFactory, string serviceName, ConsoleTraceMerger? merger = null)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ArgumentNullException.ThrowIfNull(serviceName);
        _logger = loggerFactory.CreateLogger(CategoryName);
        ServiceName = serviceName;
        _merger = merger ?? ConsoleTraceMerger.Shared;
        _sink = _merger.Attach(_logger);
    }

    /// <summary>The label of this host's roots.</summary>
    public string ServiceName { get; }

    /// <summary>Whether a host has the console exporter: the <c>ConsoleExporter</c> option, else Development without a DSN.</summary>
    public static bool IsOn(TracingOptions options, bool hasDsn, IHostEnvironment? environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.ConsoleExporter ?? (!hasDsn && environment?.IsDevelopment() == true);
    }

    /// <summary>The label of a host's roots: <see cref="TracingOptions.ServiceName"/>, else the application name.</summary>
    public static string ServiceNameOf(TracingOptions options, IHostEnvironment? environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        return !string.IsNullOrWhiteSpace(options.ServiceName) ? options.ServiceName.Trim()
            : environment?.ApplicationName is { Length: > 0 } name ? name
            : "app";
    }

    public Task ExportAsync(IReadOnlyList<SentryTransaction> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (!_logger.IsEnabled(LogLevel.Information))
        {
            return Task.CompletedTask;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            _merger.Offer(_sink, ConsoleTraceRoot.From(batch[i], ServiceName));
        }

        return Task.CompletedTask;
    }

    /// <summary>Adds the browser's transaction to its trace's tree, when that tree is still waiting.</summary>
    /// <returns>Whether it joined a tree.</returns>
    public bool TryJoin(ConsoleTraceRoot browser)
    {
        ArgumentNullException.ThrowIfNull(browser);
        return _logger.IsEnabled(LogLevel.Information) && _merger.TryJoin(_sink, browser);
    }

    /// <summary>The host stops: detaches from the merger, logging now the waiting trees that no other attached host can log.</summary>
    public Task FlushAsync(CancellationToken cancellationToken)
    {
        _sink.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Detaches from the merger, if the host's stop has not.</summary>
    public void Dispose() => _sink.Dispose();
}
