namespace TraceMiddleware.Propagation;

/// <summary>The caller's span as the incoming <c>sentry-trace</c> or <c>traceparent</c> names it.</summary>
/// <param name="TraceId">The trace id.</param>
/// <param name="SpanId">The caller's span id; zero when <paramref name="HasSpanId"/> is false.</param>
/// <param name="HasSpanId">Whether the caller sent a span id (a <c>sentry-trace</c> may carry a trace id only).</param>
/// <param name="Sampled">The caller's decision; <see langword="null"/> when deferred.</param>
/// <param name="HasTraceparent">Whether a valid <c>traceparent</c> of this trace came (so a <c>tracestate</c> may be read).</param>
/// <param name="RandomTraceId">Whether that <c>traceparent</c> has the random trace-id flag (<c>0x02</c>).</param>
internal readonly record struct IncomingParent(UInt128 TraceId, ulong SpanId, bool HasSpanId, bool? Sampled, bool HasTraceparent, bool RandomTraceId);
