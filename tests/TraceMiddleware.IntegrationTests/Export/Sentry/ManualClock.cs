namespace TraceMiddleware.IntegrationTests.Export.Sentry;

/// <summary>
/// A clock the test moves by hand for what the exporter reads as "now" (rate limits, Retry-After dates);
/// timers stay real, so request timeouts still fire.
/// </summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public DateTimeOffset Now => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => Now;
}
