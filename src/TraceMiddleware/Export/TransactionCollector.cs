using System.Diagnostics;
using Microsoft.Extensions.Logging;
using TraceMiddleware.Tracing;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.Export;

/// <summary>
/// Groups the finished spans of one host per local root: a child waits on its root's
/// <see cref="SpanBuffer"/>, and when the root finishes the whole group becomes one
/// <see cref="SentryTransaction"/> in the <see cref="ExportQueue"/>. Runs on the thread that stops the
/// span, so it only takes a per-root lock and never waits.
/// </summary>
internal sealed class TransactionCollector
{
    private readonly ExportQueue _queue;
    private readonly ILogger _logger;
    private long _lateSpans;

    public TransactionCollector(ExportQueue queue, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(logger);
        _queue = queue;
        _logger = logger;
    }

    /// <summary>Child spans that finished after their root (so after their transaction was queued), dropped.</summary>
    public long LateSpanCount => Interlocked.Read(ref _lateSpans);

    /// <summary>The <see cref="TracingRuntime.SpanStopped"/> hook.</summary>
    public void OnSpanStopped(Activity span, TraceRoot root)
    {
        // Unsampled (or propagation-only) traces are never buffered.
        if (!root.Recording)
        {
            return;
        }

        if (ReferenceEquals(span, root.Activity))
        {
            Complete(root);
            return;
        }

        // A span with hierarchical ids (a process that forces Activity.DefaultIdFormat) has no Sentry ids.
        if (!span.Recorded || span.IdFormat != ActivityIdFormat.W3C)
        {
            return;
        }

        if (!root.Spans.TryAdd(span) && Interlocked.Increment(ref _lateSpans) == 1)
        {
            TracingLog.LateSpanDropped(_logger, span.DisplayName, root.Activity.DisplayName);
        }
    }

    private void Complete(TraceRoot root)
    {
        var spans = root.CloseSpans(out var dropped);
        var activity = root.Activity;
        var runtime = root.Runtime;
        if (root.HttpContext is null && root.Request is null && runtime.Ignore.IgnoresName(root.Name))
        {
            // A root of the manual API, named as an ignore rule says (a request's was checked as it ended).
            return;
        }

        SentryTransaction transaction;
        try
        {
            transaction = new SentryTransaction(
                activity,
                spans,
                dropped,
                null,
                root.TransactionSource,
                root.Runtime.Release,
                root.Runtime.Environment,
                reportParentSpanId: !root.SyntheticParent && activity.ParentSpanId != default,
                Details(root),
                root);
        }
        catch (Exception exception)
        {
            // This runs inside Activity.Stop on the request's thread: a bug here must cost the trace, not the request.
            TracingLog.TransactionFailed(_logger, activity.DisplayName, exception);
            return;
        }

        _queue.TryEnqueue(transaction);
    }

    private static TransactionDetails Details(TraceRoot root)
    {
        var runtime = root.Runtime;
        var tags = root.Tags;
        var defaults = runtime.DefaultTags;
        if (defaults.Length > 0)
        {
            // The transaction's own tags win over the defaults.
            tags = [.. defaults.Where(d => !tags.Any(t => t.Key == d.Key)), .. tags];
        }

        return tags.Length == 0 && root.User is null && root.Request is null && !runtime.Options.SendDefaultPii
            ? TransactionDetails.None
            : new TransactionDetails(tags, root.User, root.Request, runtime.Options.SendDefaultPii);
    }
}
