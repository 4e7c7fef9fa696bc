using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace TraceMiddleware.IntegrationTests.Export.Sentry;

/// <summary>Keeps every log event, so a test can count how often a state change was logged.</summary>
public sealed class ListLogger : ILogger
{
    public ConcurrentQueue<(int EventId, LogLevel Level, string Message)> Events { get; } = new();

    public int Count(int eventId) => Events.Count(e => e.EventId == eventId);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        => Events.Enqueue((eventId.Id, logLevel, formatter(state, exception)));
}
