namespace TraceMiddleware.Sampling;

/// <summary>Head-based sampling, as Sentry's SDKs do it (PROTOCOL.md §3).</summary>
/// <remarks>
/// <para>
/// <c>sample_rand</c>: a valid incoming <c>sentry-sample_rand</c> (kept verbatim); else, when the incoming trace
/// has a decision and a valid <c>sentry-sample_rate</c> in (0, 1], one derived to agree with that decision; else
/// a random one on the six-decimal grid.
/// </para>
/// <para>
/// Decision, first rule that applies: the HTTP method is never sampled (<c>OPTIONS</c>, <c>HEAD</c>) →
/// <see langword="false"/>; a <c>TracesSampler</c> → its rate; the incoming decision → inherited; a
/// <c>TracesSampleRate</c> → that rate; otherwise deferred (<see langword="null"/>, propagation only).
/// A rate samples when <c>sample_rand &lt; rate</c> (strictly), so 0 never samples and 1 always does.
/// </para>
/// <para>
/// A sampler is user code and must not break a request: when it throws, or returns NaN or a value outside
/// [0, 1], the trace is not sampled and the exception or value is kept on the decision for the middleware to
/// log. A configured rate that is NaN or outside [0, 1] (options validation rejects it) also never samples.
/// </para>
/// </remarks>
internal static class TraceSampler
{
    /// <summary>Decides whether this service samples the trace, and with which <c>sample_rand</c>.</summary>
    /// <param name="request">The options, the span and the incoming trace.</param>
    /// <returns>The decision.</returns>
    public static SamplingDecision Decide(in SamplingRequest request)
    {
        var incoming = request.HasIncomingTrace;
        var parentSampled = incoming ? request.ParentSampled : null;
        double? parentSampleRate = incoming && SampleRate.TryParse(request.IncomingSampleRate, out var rate) ? rate : null;

        string? incomingSampleRand = null;
        double sampleRand;
        if (incoming && SampleRand.TryParse(request.IncomingSampleRand, out var parsed))
        {
            sampleRand = parsed;
            incomingSampleRand = request.IncomingSampleRand;
        }
        else if (parentSampled is bool parent && parentSampleRate is > 0)
        {
            sampleRand = SampleRand.Derive(parent, parentSampleRate.Value, NextRandom(request.Random));
        }
        else
        {
            sampleRand = NextRandom(request.Random);
        }

        // The method rule belongs to sampling: with tracing off (no sampler, no rate) the decision stays
        // the caller's or deferred, as in Sentry's SDKs, so that propagation-only services change nothing.
        var tracingEnabled = request.TracesSampler is not null || request.TracesSampleRate is not null;
        if (tracingEnabled && request.HttpMethod is { } method && IsUnsampledMethod(method, request.UnsampledHttpMethods ?? SamplingDefaults.UnsampledHttpMethods))
        {
            return new SamplingDecision(false, sampleRand, null)
            {
                IncomingSampleRand = incomingSampleRand,
                Source = SamplingDecisionSource.UnsampledHttpMethod,
            };
        }

        if (request.TracesSampler is { } sampler)
        {
            double samplerRate;
            try
            {
                samplerRate = sampler(new SamplingContext
                {
                    Name = request.Name ?? string.Empty,
                    HttpMethod = request.HttpMethod,
                    ParentSampled = parentSampled,
                    ParentSampleRate = parentSampleRate,
                    HttpContext = request.HttpContext,
                    Route = request.Route,
                    Endpoint = request.Endpoint,
                });
            }
            catch (Exception e)
            {
                return new SamplingDecision(false, sampleRand, null)
                {
                    IncomingSampleRand = incomingSampleRand,
                    Source = SamplingDecisionSource.TracesSamplerFailed,
                    SamplerException = e,
                };
            }

            if (!SampleRate.IsValid(samplerRate))
            {
                return new SamplingDecision(false, sampleRand, null)
                {
                    IncomingSampleRand = incomingSampleRand,
                    Source = SamplingDecisionSource.TracesSamplerInvalidResult,
                    InvalidSamplerResult = samplerRate,
                };
            }

            return new SamplingDecision(IsSampled(sampleRand, samplerRate), sampleRand, samplerRate)
            {
                IncomingSampleRand = incomingSampleRand,
                Source = SamplingDecisionSource.TracesSampler,
            };
        }

        if (parentSampled is bool inherited)
        {
            return new SamplingDecision(inherited, sampleRand, null)
            {
                IncomingSampleRand = incomingSampleRand,
                Source = SamplingDecisionSource.Parent,
            };
        }

        if (request.TracesSampleRate is double configuredRate)
        {
            if (!SampleRate.IsValid(configuredRate))
            {
                return new SamplingDecision(false, sampleRand, null)
                {
                    IncomingSampleRand = incomingSampleRand,
                    Source = SamplingDecisionSource.TracesSampleRateInvalid,
                };
            }

            return new SamplingDecision(IsSampled(sampleRand, configuredRate), sampleRand, configuredRate)
            {
                IncomingSampleRand = incomingSampleRand,
                Source = SamplingDecisionSource.TracesSampleRate,
            };
        }

        return new SamplingDecision(null, sampleRand, null)
        {
            IncomingSampleRand = incomingSampleRand,
            Source = SamplingDecisionSource.Deferred,
        };
    }

    private static bool IsSampled(double sampleRand, double rate) => rate > 0 && sampleRand < rate;

    private static double NextRandom(Func<double>? random)
        => random is null ? SampleRand.Generate() : SampleRand.Normalize(random());

    private static bool IsUnsampledMethod(string method, IReadOnlyCollection<string> methods)
    {
        if (methods is IReadOnlyList<string> list)
        {
            for (var i = 0; i < list.Count; i++)
            {
                if (string.Equals(list[i], method, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }

            return false;
        }

        foreach (var candidate in methods)
        {
            if (string.Equals(candidate, method, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
