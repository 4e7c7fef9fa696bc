using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using TraceMiddleware.IntegrationTests.Infrastructure;

namespace TraceMiddleware.IntegrationTests.Export.Sentry;

/// <summary>
/// A receiver behaviour (<c>receiver.Always = hold.HandleAsync</c>) that holds each request until the test
/// releases it with a status, and counts how many requests are inside the receiver's handler at once.
/// </summary>
public sealed class RequestHold(SentryReceiver receiver)
{
    // Hang guard only: a test that waits this long has failed; nothing asserts how fast anything went.
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    private readonly ConcurrentQueue<TaskCompletionSource<(int Status, (string Name, string Value)[] Headers)>> _held = new();
    private int _heldCount;
    private int _inHandler;
    private int _maxInHandler;

    /// <summary>Requests that arrived and were not released yet.</summary>
    public int Held => Volatile.Read(ref _heldCount);

    /// <summary>The most requests that were inside the handler at the same time.</summary>
    public int MaxConcurrent => Volatile.Read(ref _maxInHandler);

    public async Task HandleAsync(HttpContext context)
    {
        var inHandler = Interlocked.Increment(ref _inHandler);
        try
        {
            InterlockedMax.Update(ref _maxInHandler, inHandler);
            var release = new TaskCompletionSource<(int, (string, string)[])>(TaskCreationOptions.RunContinuationsAsynchronously);
            Interlocked.Increment(ref _heldCount);
            _held.Enqueue(release);
            var (status, headers) = await release.Task.WaitAsync(context.RequestAborted);
            await receiver.Respond(context, status, headers);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            Interlocked.Decrement(ref _inHandler);
        }
    }

    /// <summary>Answers the longest-held request (waiting for one to arrive if need be).</summary>
    public async Task ReleaseOneAsync(int status = 200, params (string Name, string Value)[] headers)
    {
        await WaitUntilAsync(() => Held > 0, () => "a request to release");
        TaskCompletionSource<(int, (string, string)[])>? release;
        while (!_held.TryDequeue(out release))
        {
            // Counted but not yet queued: the handler is between the two lines.
            await Task.Yield();
        }

        Interlocked.Decrement(ref _heldCount);
        release.SetResult((status, headers));
    }

    /// <summary>Waits until at least <paramref name="count"/> requests are held.</summary>
    public Task WaitForHeldAsync(int count) => WaitUntilAsync(() => Held >= count, () => $"{count} requests held at once (held: {Held})");

    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test after the hang guard.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, Func<string> what)
    {
        var deadline = DateTime.UtcNow + HangGuard;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"gave up waiting for {what()}");
            await Task.Delay(2);
        }
    }
}
