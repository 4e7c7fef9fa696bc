using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace TraceMiddleware.Testing;

/// <summary>Keeps every log entry, so that a test can assert what was logged and how often.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<CapturedLog> Entries { get; } = new();

    public ILoggerFactory CreateFactory() => LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(this));

    public IReadOnlyList<CapturedLog> WithEventId(int id) => Entries.Where(e => e.EventId.Id == id).ToList();

    public int Count(int eventId) => Entries.Count(e => e.EventId.Id == eventId);

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    public void Dispose()
    {
    }
}
