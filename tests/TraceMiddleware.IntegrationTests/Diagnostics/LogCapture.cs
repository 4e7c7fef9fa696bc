using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace TraceMiddleware.IntegrationTests.Diagnostics;

/// <summary>An <see cref="ILoggerProvider"/> that keeps every log entry, for assertions on what was logged.</summary>
public sealed class LogCapture : ILoggerProvider
{
    public ConcurrentQueue<LogEntry> Entries { get; } = new();

    public IEnumerable<LogEntry> Event(int id) => Entries.Where(e => e.EventId == id);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Entries.Enqueue(new LogEntry(category, logLevel, eventId.Id, formatter(state, exception)));
    }
}

public sealed record LogEntry(string Category, LogLevel Level, int EventId, string Message);
