namespace TraceMiddleware.InteropTests.Infrastructure;

/// <summary>What tests/js/node-client.mjs reports: its root span, and the response it got.</summary>
public sealed record NodeClientResult(string TraceId, string SpanId, bool Sampled, int Status, string Body);
