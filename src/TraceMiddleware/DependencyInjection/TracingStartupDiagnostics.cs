using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TraceMiddleware.Configuration;
using TraceMiddleware.Export;
using TraceMiddleware.Propagation;
using TraceMiddleware.Tracing;

namespace TraceMiddleware.DependencyInjection;

/// <summary>
/// Says once, at start-up, what tracing will do (event 4101): the answer to most "why is nothing
/// happening" questions is in that one line. Before it, a warning for each setting that is ignored or weaker
/// than it looks: an unknown key (4102), a plain-string target that can match inside a path (4103).
/// </summary>
internal sealed class TracingStartupDiagnostics : IHostedService
{
    private readonly TracingRuntime _runtime;
    private readonly TraceExportService _export;
    private readonly TracingRegistration _registration;
    private readonly IConfiguration? _configuration;

    public TracingStartupDiagnostics(TracingRuntime runtime, TraceExportService export, TracingRegistration registration, IConfiguration? configuration = null)
    {
        _runtime = runtime;
        _export = export;
        _registration = registration;
        _configuration = configuration;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // The export pipeline was built in StartingAsync, before any StartAsync: it names the real exporters.
        var exporters = _export.Pipeline?.Exporters.Select(e => e.Exporter).ToArray() ?? [];
        if (_runtime.Logger.IsEnabled(LogLevel.Warning))
        {
            WarnUnknownKeys(_runtime.Logger, _registration, _configuration);
            WarnPathMatchingTargets(_runtime.Logger, _runtime.Targets);
        }

        Log(_runtime, exporters);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    internal static void Log(TracingRuntime runtime, IReadOnlyList<ITraceExporter> exporters)
    {
        var options = runtime.Options;
        if (!runtime.Logger.IsEnabled(LogLevel.Information))
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

    /// <summary>Event 4102 for each key of the bound sections that no binder reads.</summary>
    internal static void WarnUnknownKeys(ILogger logger, TracingRegistration registration, IConfiguration? configuration)
    {
        var reported = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var section in BoundSections(registration, configuration))
        {
            foreach (var key in UnknownConfigurationKeys.Find(section, TracingConfigurationSchema.Tracing))
            {
                if (reported.Add(key.Path))
                {
                    TracingDiagnosticsLog.UnknownSetting(
                        logger,
                        key.Path,
                        key.Suggestion is { } suggestion ? $"Did you mean {suggestion}?" : "No known setting is close to it.");
                }
            }
        }
    }

    /// <summary>Event 4103 for each plain-string target that can match inside a path, with its index and text.</summary>
    internal static void WarnPathMatchingTargets(ILogger logger, TracePropagationTargetList targets)
    {
        for (var i = 0; i < targets.Count; i++)
        {
            if (PathMatchingTargets.CanMatchInsidePath(targets[i]))
            {
                TracingDiagnosticsLog.TargetMatchesInsidePath(logger, i, targets[i].Value, PathMatchingTargets.AnchoredExample(targets[i].Value));
            }
        }
    }

    /// <summary>
    /// The sections the options are bound from (as <see cref="TracingOptionsSetup"/> binds them). A whole
    /// configuration given to <c>AddTracing</c> is left out: it holds the app's other settings too.
    /// </summary>
    private static IEnumerable<IConfigurationSection> BoundSections(TracingRegistration registration, IConfiguration? configuration)
    {
        if (registration.Sections.Count == 0)
        {
            return configuration?.GetSection(TracingRegistration.DefaultSectionName) is { } section ? [section] : [];
        }

        return registration.Sections.OfType<IConfigurationSection>();
    }
}
