using Microsoft.AspNetCore.Http;

namespace TraceMiddleware.Sampling;

/// <summary>Everything <see cref="TraceSampler.Decide"/> needs: the options, the span, and the incoming trace.</summary>
internal readonly struct SamplingRequest
{
    /// <summary>The configured <c>TracesSampleRate</c>; <see langword="null"/> when not set.</summary>
    public double? TracesSampleRate { get; init; }

    /// <summary>The configured <c>TracesSampler</c>; <see langword="null"/> when not set.</summary>
    public Func<SamplingContext, double>? TracesSampler { get; init; }

    /// <summary>The span name, such as <c>GET /orders/{id}</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The HTTP method of the incoming request; <see langword="null"/> outside HTTP.</summary>
    public string? HttpMethod { get; init; }

    /// <summary>The incoming request; <see langword="null"/> outside HTTP.</summary>
    public HttpContext? HttpContext { get; init; }

    /// <summary>The route template routing chose; <see langword="null"/> before routing or without it.</summary>
    public string? Route { get; init; }

    /// <summary>The endpoint routing chose; <see langword="null"/> before routing or without it.</summary>
    public Endpoint? Endpoint { get; init; }

    /// <summary>
    /// Whether a valid incoming trace is being continued. When <see langword="false"/>, the incoming fields below
    /// are ignored: a new trace does not inherit anything from headers that did not parse.
    /// </summary>
    public bool HasIncomingTrace { get; init; }

    /// <summary>The incoming decision (<c>-1</c>/<c>-0</c>); <see langword="null"/> when deferred.</summary>
    public bool? ParentSampled { get; init; }

    /// <summary>The incoming <c>sentry-sample_rand</c> text, unvalidated.</summary>
    public string? IncomingSampleRand { get; init; }

    /// <summary>The incoming <c>sentry-sample_rate</c> text, unvalidated.</summary>
    public string? IncomingSampleRate { get; init; }

    /// <summary>Methods never sampled (case-insensitive); <see langword="null"/> for <see cref="SamplingDefaults.UnsampledHttpMethods"/>.</summary>
    public IReadOnlyCollection<string>? UnsampledHttpMethods { get; init; }

    /// <summary>A source of uniform values in [0, 1) replacing <see cref="SampleRand.Generate"/>, for tests.</summary>
    public Func<double>? Random { get; init; }
}
