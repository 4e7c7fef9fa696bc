using System.Globalization;
using TraceMiddleware.Propagation;
using TraceMiddleware.Sampling;

namespace TraceMiddleware.Tracing;

/// <summary>The words of the per-request debug log (event 1001): how the trace was continued, and what was decided and why.</summary>
internal static class DecisionDescription
{
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

    /// <summary>A rate or sampler result as the logs write it; -0 (a valid rate, equal to 0) is written 0.</summary>
    internal static string Number(double value) => (value == 0 ? 0 : value).ToString(CultureInfo.InvariantCulture);
}
