using Microsoft.Extensions.Hosting;
using TraceMiddleware.Tracing;

namespace TraceMiddleware.DependencyInjection;

/// <summary>
/// Says once, at start-up, what tracing will do (event 4101): the answer to most "why is nothing
/// happening" questions is in that one line.
/// </summary>
internal sealed class TracingStartupDiagnostics : IHostedService
{
    private readonly TracingRuntime _runtime;

    public TracingStartupDiagnostics(TracingRuntime runtime) => _runtime = runtime;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Log(_runtime);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    internal static void Log(TracingRuntime runtime)
    {
        var options = runtime.Options;
        if (!runtime.Logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Information))
        {
            return;
        }

        TracingDiagnosticsLog.Started(
            runtime.Logger,
            TracingDiagnostics.DescribeSampling(options),
            TracingDiagnostics.DescribeExporters(runtime),
            TracingDiagnostics.DescribeTargets(runtime),
            TracingDiagnostics.DescribeTraceparent(options),
            TracingDiagnostics.DescribeTrust(options),
            TracingDiagnostics.OnOff(options.ServerTimingHeader),
            runtime.Environment,
            runtime.Release ?? "(none)");
    }
}
