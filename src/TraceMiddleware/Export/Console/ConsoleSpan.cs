using System.Diagnostics;

namespace TraceMiddleware.Export.Console;

/// <summary>
/// One span as the console tree shows it, copied out of its <see cref="Activity"/> (or out of a browser
/// envelope) so that the few seconds a trace waits for its other parts hold no activity alive.
/// </summary>
/// <param name="SpanId">The span's id.</param>
/// <param name="ParentSpanId">Its parent's id; <see langword="default"/> when it has none, or none worth showing.</param>
/// <param name="Op">The Sentry op, such as <c>http.server</c>.</param>
/// <param name="Name">The name (a transaction's name, a span's description).</param>
/// <param name="StartUtc">When it started.</param>
/// <param name="Duration">How long it took.</param>
/// <param name="Status">The Sentry status, such as <c>ok</c>.</param>
internal readonly record struct ConsoleSpan(
    ActivitySpanId SpanId,
    ActivitySpanId ParentSpanId,
    string Op,
    string Name,
    DateTime StartUtc,
    TimeSpan Duration,
    string Status);
