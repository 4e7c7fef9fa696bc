using System.Globalization;
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
    /// <c>Sentry DSN set (o1.ingest.sentry.io, project 42)</c> or <c>no DSN set: the console (one tree per transaction)</c>.
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
                case SentryTraceExporter:
                    break;
                case ConsoleTraceExporter:
                    parts.Add("the console (one tree per transaction)");
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

    /// <summary>How an incoming request's trace headers were used, in words.</summary>
    public static string Describe(ContinuationOutcome outcome) => outcome switch
    {
        ContinuationOutcome.ContinuedFromSentryTrace => "trace continued from sentry-trace",
        ContinuationOutcome.ContinuedFromTraceparent => "trace continued from traceparent (no sentry-trace)",
        ContinuationOutcome.MalformedSentryTrace => "new trace: sentry-trace is malformed",
        ContinuationOutcome.MalformedTraceparent => "new trace: traceparent is malformed",
        ContinuationOutcome.OrgMismatch => "new trace: the caller's organization (baggage sentry-org_id) does not match this service's",
        ContinuationOutcome.Untrusted => "new trace: TrustIncomingTraceHeaders does not trust this caller, its trace headers were ignored",
        _ => "new trace: no sentry-trace or traceparent header",
    };

    /// <summary>The sampling decision of a root span and its reason, such as <c>sampled (sample_rand 0.1 &lt; TracesSampleRate 0.2)</c>.</summary>
    public static string DescribeDecision(TraceRoot? root, string? httpMethod)
    {
        if (root is null)
        {
            return "no span started";
        }

        var d = root.Decision;
        var verdict = d.Sampled switch
        {
            true => "sampled",
            false => "not sampled",
            _ => "sampling deferred",
        };
        var rand = d.FormatSampleRand();
        var reason = d.Source switch
        {
            SamplingDecisionSource.UnsampledHttpMethod => $"{httpMethod} is one of UnsampledHttpMethods",
            SamplingDecisionSource.TracesSampler => $"TracesSampler returned {Number(d.SampleRate ?? 0)}, sample_rand {rand}",
            SamplingDecisionSource.TracesSamplerInvalidResult => $"TracesSampler returned {Number(d.InvalidSamplerResult ?? double.NaN)}, outside [0, 1]",
            SamplingDecisionSource.TracesSamplerFailed => "TracesSampler threw, see event 1005",
            SamplingDecisionSource.Parent => "the caller's decision",
            SamplingDecisionSource.TracesSampleRate => $"sample_rand {rand} {(d.Sampled == true ? "<" : ">=")} TracesSampleRate {Number(d.SampleRate ?? 0)}",
            SamplingDecisionSource.TracesSampleRateInvalid => "TracesSampleRate is invalid",
            _ => "no TracesSampleRate or TracesSampler and no decision from the caller: propagation only",
        };

        return d.Sampled == true && !root.Recording
            ? $"{verdict} ({reason}), but not recorded here: propagation only"
            : $"{verdict} ({reason})";
    }

    // -0 (a valid rate, equal to 0) would print as "-0".
    private static string Number(double value) => (value == 0 ? 0 : value).ToString(CultureInfo.InvariantCulture);
}
