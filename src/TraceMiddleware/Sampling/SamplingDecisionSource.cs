namespace TraceMiddleware.Sampling;

/// <summary>Which rule of the sampling precedence produced a <see cref="SamplingDecision"/>, for logs.</summary>
internal enum SamplingDecisionSource
{
    /// <summary>No rate, no sampler and no incoming decision: propagation only.</summary>
    Deferred,

    /// <summary>The HTTP method is one that is never sampled (OPTIONS, HEAD by default).</summary>
    UnsampledHttpMethod,

    /// <summary>The <c>TracesSampler</c> returned a rate in [0, 1].</summary>
    TracesSampler,

    /// <summary>The <c>TracesSampler</c> returned NaN or a value outside [0, 1]: not sampled.</summary>
    TracesSamplerInvalidResult,

    /// <summary>The <c>TracesSampler</c> threw: not sampled.</summary>
    TracesSamplerFailed,

    /// <summary>The incoming <c>sentry-trace</c> carried <c>-1</c> or <c>-0</c>.</summary>
    Parent,

    /// <summary>The configured <c>TracesSampleRate</c>.</summary>
    TracesSampleRate,

    /// <summary>The configured <c>TracesSampleRate</c> is NaN or outside [0, 1]: not sampled.</summary>
    TracesSampleRateInvalid,
}
