using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using TraceMiddleware.Tracing;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.Export.Console;

/// <summary>
/// The development view: one compact tree per transaction, logged at Information level under the category
/// <c>TraceMiddleware.Console</c>. Each line is <c>op  name  duration ms  status</c>, children indented two
/// spaces under their parent span.
/// </summary>
internal sealed class ConsoleTraceExporter : ITraceExporter
{
    public const string CategoryName = "TraceMiddleware.Console";

    private const string Indent = "  ";

    private readonly ILogger _logger;

    public ConsoleTraceExporter(ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _logger = loggerFactory.CreateLogger(CategoryName);
    }

    public Task ExportAsync(IReadOnlyList<SentryTransaction> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (!_logger.IsEnabled(LogLevel.Information))
        {
            return Task.CompletedTask;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            TracingLog.ConsoleTree(_logger, batch[i].Root.TraceId.ToHexString(), FormatTree(batch[i]));
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// The tree, one line per span. A span whose parent is not in the transaction (left out over the span
    /// limit, or the child of another library's activity) is shown under the root.
    /// </summary>
    public static string FormatTree(SentryTransaction transaction)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var root = transaction.Root;
        var spans = transaction.Activities;
        var known = new HashSet<ActivitySpanId>(spans.Count + 1) { root.SpanId };
        for (var i = 0; i < spans.Count; i++)
        {
            known.Add(spans[i].SpanId);
        }

        var children = new Dictionary<ActivitySpanId, List<Activity>>();
        for (var i = 0; i < spans.Count; i++)
        {
            var span = spans[i];
            var parent = span.ParentSpanId != span.SpanId && known.Contains(span.ParentSpanId) ? span.ParentSpanId : root.SpanId;
            if (!children.TryGetValue(parent, out var list))
            {
                children[parent] = list = [];
            }

            list.Add(span);
        }

        foreach (var list in children.Values)
        {
            list.Sort(static (a, b) => a.StartTimeUtc.CompareTo(b.StartTimeUtc));
        }

        var text = new StringBuilder();
        var pending = new Stack<(Activity Span, int Depth)>();
        pending.Push((root, 0));

        // Each span is printed at most once, whatever the ids claim, so bad data cannot loop forever.
        var budget = spans.Count + 1;
        while (pending.Count > 0 && budget-- > 0)
        {
            var (span, depth) = pending.Pop();
            if (text.Length > 0)
            {
                text.Append('\n');
            }

            AppendLine(text, span, depth);
            if (children.Remove(span.SpanId, out var list))
            {
                for (var i = list.Count - 1; i >= 0; i--)
                {
                    pending.Push((list[i], depth + 1));
                }
            }
        }

        if (transaction.DroppedSpanCount > 0)
        {
            text.Append('\n').Append(Indent).Append("(+").Append(transaction.DroppedSpanCount.ToString(CultureInfo.InvariantCulture)).Append(" spans dropped)");
        }

        return text.ToString();
    }

    private static void AppendLine(StringBuilder text, Activity span, int depth)
    {
        for (var i = 0; i < depth; i++)
        {
            text.Append(Indent);
        }

        AppendSafe(text, span.GetTagItem(SpanTags.Op) as string ?? "default");
        text.Append(Indent);
        AppendSafe(text, span.DisplayName);
        text.Append(Indent)
            .Append(span.Duration.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture))
            .Append(" ms")
            .Append(Indent);
        AppendSafe(text, SpanStatus.Of(span));
    }


    // Names can carry request data: a line break in one must not forge a line of the tree.
    private static void AppendSafe(StringBuilder text, string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            text.Append(char.IsControl(c) ? ' ' : c);
        }
    }
}
