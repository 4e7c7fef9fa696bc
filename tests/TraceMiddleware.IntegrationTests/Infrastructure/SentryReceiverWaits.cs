using TraceMiddleware.IntegrationTests.Export.Sentry;

namespace TraceMiddleware.IntegrationTests.Infrastructure;

/// <summary>Waiting for what a <see cref="SentryReceiver"/> gets.</summary>
public static class SentryReceiverWaits
{
    /// <summary>The transaction of <paramref name="traceId"/> once it has arrived; fails the test after 15 s.</summary>
    public static async Task<ReceivedEnvelope> WaitForTransactionAsync(this SentryReceiver receiver, string traceId)
    {
        for (var i = 0; i < 300; i++)
        {
            foreach (var envelope in receiver.Received)
            {
                if (TraceIdOf(envelope) == traceId)
                {
                    return envelope;
                }
            }

            await Task.Delay(50);
        }

        throw new Xunit.Sdk.XunitException($"no transaction of trace {traceId} arrived; received: {string.Join(", ", receiver.Received.Select(e => e.Transaction))}");
    }

    public static string? TraceIdOf(ReceivedEnvelope envelope) =>
        envelope.Payload.GetProperty("contexts").GetProperty("trace").GetProperty("trace_id").GetString();
}
