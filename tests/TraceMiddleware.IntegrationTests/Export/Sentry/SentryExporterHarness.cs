using TraceMiddleware.Configuration;
using TraceMiddleware.Export.Sentry;
using TraceMiddleware.Testing;

namespace TraceMiddleware.IntegrationTests.Export.Sentry;

/// <summary>
/// What the Sentry exporter tests share: a real loopback Kestrel receiver per test, a clock moved by hand (so nothing
/// waits for a backoff or a rate limit to pass, or asserts on wall time), captured logs, and an exporter wired to all
/// three.
/// </summary>
public abstract class SentryExporterHarness : IAsyncLifetime
{
    /// <summary>The clock's time when a test starts.</summary>
    protected static readonly DateTimeOffset Start = new(2030, 6, 1, 12, 0, 0, TimeSpan.Zero);

    protected ManualClock Clock { get; } = new(Start);

    protected CapturingLoggerProvider Logs { get; } = new();

    protected SentryReceiver Receiver { get; private set; } = null!;

    public async Task InitializeAsync() => Receiver = await SentryReceiver.StartAsync();

    public async Task DisposeAsync() => await Receiver.DisposeAsync();

    /// <summary>An exporter with <paramref name="options"/> that sends to <paramref name="dsn"/> (the receiver's by default).</summary>
    private protected SentryTraceExporter CreateExporter(SentryTransportOptions options, SentryDsn? dsn = null) =>
        new(dsn ?? Receiver.Dsn, options, handler: null, Logs.CreateLogger("TraceMiddleware"), Clock);
}
