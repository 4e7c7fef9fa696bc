using System.Diagnostics;
using TraceMiddleware.Tracing;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.Export.Console;

/// <summary>
/// What one service (or the browser) contributes to a trace's console tree: one local root span with the
/// spans that finished inside it, labelled with the service's name.
/// </summary>
internal sealed class ConsoleTraceRoot
{
    /// <summary>The op shown for a span that has none.</summary>
    public const string DefaultOp = "default";

    /// <summary>Creates a root.</summary>
    /// <param name="service">The name of the service it ran in.</param>
    /// <param name="traceId">Its trace.</param>
    /// <param name="root">The root span.</param>
    /// <param name="spans">Its descendants.</param>
    /// <param name="droppedSpanCount">Descendants left out.</param>
    public ConsoleTraceRoot(string service, ActivityTraceId traceId, ConsoleSpan root, IReadOnlyList<ConsoleSpan> spans, int droppedSpanCount)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(spans);
        Service = service;
        TraceId = traceId;
        Root = root;
        Spans = spans;
        DroppedSpanCount = droppedSpanCount;
    }

    public string Service { get; }

    public ActivityTraceId TraceId { get; }

    public ConsoleSpan Root { get; }

    public IReadOnlyList<ConsoleSpan> Spans { get; }

    public int DroppedSpanCount { get; }

    /// <summary>The spans it holds, its root included: what it costs to keep it waiting.</summary>
    public int SpanCount => Spans.Count + 1;

    /// <summary>Copies what the tree shows out of <paramref name="transaction"/>.</summary>
    /// <param name="transaction">A finished transaction of this process.</param>
    /// <param name="service">The name of the service it ran in.</param>
    public static ConsoleTraceRoot From(SentryTransaction transaction, string service)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var root = transaction.Root;

        // A parent made up for a caller that sent a trace id only is no span anyone can show. The names, ops and
        // statuses are the transaction's as its exporters see it (after BeforeSendTransaction).
        var parent = transaction.ReportParentSpanId ? root.ParentSpanId : default;
        var model = transaction.Spans;
        var spans = new ConsoleSpan[model.Count];
        for (var i = 0; i < spans.Length; i++)
        {
            var span = model[i];
            spans[i] = new ConsoleSpan(span.Activity.SpanId, span.Activity.ParentSpanId, span.Operation, span.Description, span.StartTimestamp, span.Activity.Duration, span.Status);
        }

        var rootSpan = new ConsoleSpan(root.SpanId, parent, transaction.Operation, transaction.Name, root.StartTimeUtc, root.Duration, transaction.Status);
        return new ConsoleTraceRoot(service, root.TraceId, rootSpan, spans, transaction.DroppedSpanCount);
    }
}
