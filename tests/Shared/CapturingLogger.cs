using Microsoft.Extensions.Logging;

namespace TraceMiddleware.Testing;

/// <summary>Writes every entry of one category to its <see cref="CapturingLoggerProvider"/>.</summary>
public sealed class CapturingLogger(CapturingLoggerProvider provider, string category) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        provider.Entries.Enqueue(new CapturedLog(category, logLevel, eventId, formatter(state, exception), exception));
}
