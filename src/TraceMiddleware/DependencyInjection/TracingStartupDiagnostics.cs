using Microsoft.Extensions.Hosting;
using TraceMiddleware.Export;
using TraceMiddleware.Tracing;

namespace TraceMiddleware.DependencyInjection;

/// <summary>
/// Says once, at start-up, what tracing will do (event 4101): the answer to most "why is nothing
/// happening" questions is in that one line.
/// </summary>
internal sealed class TracingStartupDiagnostics : IHostedService
{
    private readonly TracingRuntime _runtime;
    private readonly TraceExportService _export;

    public TracingStartupDiagnostics(TracingRuntime runtime, TraceExportService export)
    {
        _runtime = runtime;
        _export = export;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // The export pipeline was built in StartingAsync, before any StartAsync: it names the real exporters.
        var exporters = _export.Pipeline?.Exporters.Select(e => e.Exporter).ToArray() ?? [];
        Log(_runtime, exporters);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    internal static void Log(TracingRuntime runtime, IReadOnlyList<ITraceExporter> exporters)
    {
        var options = runtime.Options;
        if (!runtime.Logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Information))
        {
            return;
        }

        TracingDiagnosticsLog.Started(
            runtime.Logger,
            TracingDiagnostics.DescribeSampling(options),
            TracingDiagnostics.DescribeExporters(runtime, exporters),
            TracingDiagnostics.DescribeTargets(runtime),
            TracingDiagnostics.DescribeTraceparent(options),
            TracingDiagnostics.DescribeTrust(options),
            TracingDiagnostics.OnOff(options.ServerTimingHeader),
            runtime.Environment,
            runtime.Release ?? "(none)");
    }
}
