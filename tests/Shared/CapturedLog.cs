using Microsoft.Extensions.Logging;

namespace TraceMiddleware.Testing;

/// <summary>One log entry a <see cref="CapturingLoggerProvider"/> saw.</summary>
public sealed record CapturedLog(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception);
