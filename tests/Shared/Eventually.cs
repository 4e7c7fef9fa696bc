namespace TraceMiddleware.Testing;

/// <summary>
/// Waits for something a request causes after its response went out: its server span stops, and its transaction
/// is queued, only once the response is complete.
/// </summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string what)
    {
        using var timeout = new CancellationTokenSource(SpanCollector.Wait);
        while (!condition())
        {
            try
            {
                await Task.Delay(20, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Never happened within {SpanCollector.Wait}: {what}.");
            }
        }
    }
}
