using System.Diagnostics;
using OpenTelemetry.Trace;
using TraceMiddleware.Sampling;
using TraceMiddleware.Tracing;

namespace TraceMiddleware.OpenTelemetry;

/// <summary>
/// OpenTelemetry's sampler, answering with the library's one decision: a span in one of the host's traces is
/// recorded exactly when the trace's Sentry decision says so, whatever source it comes from.
/// </summary>
/// <remarks>
/// Request spans and the library's own roots are decided by the library itself as they start (it clears the
/// recorded flag of what it does not sample, and no other answer can bring it back), so the answer here only
/// matters for the spans of other sources: a child of a span of ours follows the trace; a child of any other span
/// follows its parent; a root span of another source (a background job's own <c>ActivitySource</c>, say) is sampled
/// with the host's <c>TracesSampleRate</c> or <c>TracesSampler</c>.
/// </remarks>
internal sealed class TraceMiddlewareSampler : Sampler
{
    private static readonly SamplingResult Record = new(global::OpenTelemetry.Trace.SamplingDecision.RecordAndSample);
    private static readonly SamplingResult Drop = new(global::OpenTelemetry.Trace.SamplingDecision.Drop);

    private readonly TracingRuntime? _runtime;

    public TraceMiddlewareSampler(TracingRuntime? runtime)
    {
        _runtime = runtime;
        Description = "TraceMiddlewareSampler";
    }

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters)
    {
        var parent = samplingParameters.ParentContext;
        var current = Activity.Current;
        if (current is not null && current.TraceId == parent.TraceId && current.SpanId == parent.SpanId
            && TraceRoot.Find(current) is { } root)
        {
            return root.Recording ? Record : Drop;
        }

        if (parent.TraceId != default && !parent.IsRemote)
        {
            return (parent.TraceFlags & ActivityTraceFlags.Recorded) != 0 ? Record : Drop;
        }

        if (_runtime is null)
        {
            return Record;
        }

        // A root of a source the library does not start: a new trace (or a remote parent's) by the host's rules.
        var options = _runtime.Options;
        var remoteSampled = parent.TraceId != default ? (parent.TraceFlags & ActivityTraceFlags.Recorded) != 0 : (bool?)null;
        var decision = TraceSampler.Decide(new SamplingRequest
        {
            TracesSampleRate = options.TracesSampleRate,
            TracesSampler = options.TracesSampler,
            Name = samplingParameters.Name,
            HasIncomingTrace = remoteSampled is not null,
            ParentSampled = remoteSampled,
        });
        return decision.Sampled == true && _runtime.TracingEnabled ? Record : Drop;
    }
}
