using Microsoft.Extensions.Logging;

namespace TraceMiddleware.Benchmarks;

/// <summary>Logging that is on (at the level the host sets) and writes nowhere: what it costs to have logging enabled, not to write.</summary>
internal sealed class DiscardingLoggerProvider : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => Logger.Instance;

    public void Dispose()
    {
    }

    private sealed class Logger : ILogger
    {
        public static readonly Logger Instance = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
        }
    }
}
