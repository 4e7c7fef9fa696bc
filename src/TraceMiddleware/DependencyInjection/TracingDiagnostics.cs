using System.Globalization;
using TraceMiddleware.Configuration;
using TraceMiddleware.Export;
using TraceMiddleware.Export.Console;
using TraceMiddleware.Export.Sentry;
using TraceMiddleware.Propagation;
using TraceMiddleware.Sampling;
using TraceMiddleware.Tracing;

namespace TraceMiddleware.DependencyInjection;

/// <summary>
/// The words of the diagnostic logs: what is on at start-up, and per request what was decided and why.
/// Built only when the log level asks for them.
/// </summary>
internal static class TracingDiagnostics
{
    /// <summary>The sampling set-up, such as <c>TracesSampleRate 0.2 for new traces; a caller's decision is kept</c>.</summary>
    public static string DescribeSampling(TracingOptions options)
    {
        if (options.TracesSampler is not null)
        {
            return options.TracesSampleRate is { } ignored
                ? $"TracesSampler (code), which wins over the caller's decision and TracesSampleRate {Number(ignored)}"
                : "TracesSampler (code), which wins over the caller's decision";
        }

        if (options.TracesSampleRate is { } rate)
        {
            return $"TracesSampleRate {Number(rate)} for new traces; a caller's decision is kept";
        }

        return "off, propagation only (no TracesSampleRate or TracesSampler): trace headers flow, no span is recorded";
    }

    /// <summary>
    /// Where spans go, from the exporters the pipeline really has, such as
    /// <c>Sentry DSN set (o1.ingest.sentry.io, project 42)</c> or <c>no DSN set, the console (one tree per trace, …)</c>.
    /// </summary>
    public static string DescribeExporters(TracingRuntime runtime, IReadOnlyList<ITraceExporter> exporters)
    {
        var parts = new List<string>(exporters.Count + 1);
        if (runtime.Dsn is { } dsn)
        {
            parts.Add($"Sentry DSN set ({dsn.EnvelopeEndpoint.Authority}, project {dsn.ProjectId})");
        }
        else
        {
            parts.Add("no DSN set");
        }

        for (var i = 0; i < exporters.Count; i++)
        {
            switch (exporters[i])
            {
                case SentryTraceExporter { IsSpotlight: true } spotlight:
                    parts.Add($"Spotlight ({spotlight.Endpoint})");
                    break;
                case SentryTraceExporter:
                    break;
                case ConsoleTraceExporter console:
                    parts.Add($"the console (one tree per trace, this service labelled '{console.ServiceName}')");
                    break;
                default:
                    parts.Add(exporters[i].GetType().Name);
                    break;
            }
        }

        return parts.Count == 1 && runtime.Dsn is null
            ? "no DSN set and no exporter: nothing is sent"
            : string.Join(", ", parts);
    }

    /// <summary>The propagation targets in words, saying when they are the default.</summary>
    public static string DescribeTargets(TracingRuntime runtime) => runtime.Options.TracePropagationTargets is null
        ? runtime.Targets.Describe() + " (the default: loopback only)"
        : runtime.Targets.Describe();

    public static string DescribeTraceparent(TracingOptions options) =>
        $"sent {OnOff(options.PropagateTraceparent)}, continued from incoming requests {OnOff(options.ContinueFromTraceparent)}";

    public static string DescribeTrust(TracingOptions options) => options.TrustIncomingTraceHeaders is null
        ? "honoured from every caller"
        : "honoured only when TrustIncomingTraceHeaders says so";

    public static string OnOff(bool on) => on ? "on" : "off";

    private static string Number(double value) => DecisionDescription.Number(value);
}
