using Microsoft.AspNetCore.Http;

namespace TraceMiddleware.Sampling;

/// <summary>
/// What a <c>TracesSampler</c> sees when it decides whether a new local root span (a Sentry transaction) is
/// sampled. For a request, the decision waits for routing, so the sampler sees the route and the endpoint; it is
/// still made before anything is propagated (an outgoing call, a meta tag, a <c>Server-Timing</c> header).
/// </summary>
/// <remarks>
/// A sampler returns a rate in [0, 1]: 0 never samples, 1 always does, and any other rate samples when the
/// trace's <c>sample_rand</c> is below it, so every service of a trace that uses the same rate agrees.
/// To follow the caller's decision and sample 10% of new traces:
/// <code>
/// o.TracesSampler = ctx => ctx.ParentSampled is bool p ? (p ? 1 : 0) : 0.1;
/// </code>
/// </remarks>
public sealed class SamplingContext
{
    /// <summary>The span name, such as <c>GET /orders/{id}</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The HTTP method of the incoming request, such as <c>GET</c>; <see langword="null"/> outside HTTP.</summary>
    public string? HttpMethod { get; init; }

    /// <summary>
    /// The caller's decision: <see langword="true"/> (<c>-1</c>), <see langword="false"/> (<c>-0</c>), or
    /// <see langword="null"/> when there is no incoming trace or it has not decided yet.
    /// </summary>
    public bool? ParentSampled { get; init; }

    /// <summary>
    /// The rate the head of the trace sampled with (the incoming <c>sentry-sample_rate</c>), or
    /// <see langword="null"/> when there is none or it is not a number in [0, 1].
    /// </summary>
    public double? ParentSampleRate { get; init; }

    /// <summary>The incoming request; <see langword="null"/> outside HTTP.</summary>
    public HttpContext? HttpContext { get; init; }

    /// <summary>
    /// The route template the request matched, such as <c>/orders/{id}</c> (a Razor Page's path, such as
    /// <c>/Index</c>); <see langword="null"/> outside HTTP, without routing, or when no endpoint matched.
    /// </summary>
    public string? Route { get; init; }

    /// <summary>The endpoint the request matched, with its metadata; <see langword="null"/> when none did.</summary>
    public Endpoint? Endpoint { get; init; }
}
