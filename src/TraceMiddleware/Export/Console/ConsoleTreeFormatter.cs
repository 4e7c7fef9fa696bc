using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace TraceMiddleware.Export.Console;

/// <summary>
/// Draws the local roots of one trace as one tree: each line is <c>op  name  duration ms  status  #short span
/// id</c>, children indented two spaces under their parent span, the first line of each root labelled with its
/// service, <c>[orders] http.server  POST /api/orders  …</c>.
/// </summary>
/// <remarks>
/// A root whose parent span is among the trace's spans (the payments request under the orders API's
/// <c>http.client</c> span, the orders request under the browser's fetch) is drawn under it; the others start
/// at the left, in start order. A span whose parent is missing (left out over the span limit, or the child of
/// another library's activity) is shown under its own root. Each span is drawn at most once, whatever the ids
/// claim, so bad data cannot loop.
/// </remarks>
internal static class ConsoleTreeFormatter
{
    /// <summary>How many hex digits of a span id a line shows: enough to find the span in Sentry or Spotlight.</summary>
    public const int ShortSpanIdLength = 8;

    /// <summary>The first line of a tree whose trace was printed before (a part that came after its window).</summary>
    public const string ContinuedLine = "(continued: more of this trace was printed before)";

    private const string Indent = "  ";

    public static string Format(IReadOnlyList<ConsoleTraceRoot> roots, bool continued = false)
    {
        ArgumentNullException.ThrowIfNull(roots);
        var nodes = new List<Node>();
        var rootNodes = new List<Node>(roots.Count);
        var byId = new Dictionary<ActivitySpanId, Node>();
        for (var r = 0; r < roots.Count; r++)
        {
            var root = new Node(roots[r].Root, roots[r]);
            rootNodes.Add(root);
            nodes.Add(root);
            byId.TryAdd(root.Span.SpanId, root);
            var spans = roots[r].Spans;
            for (var i = 0; i < spans.Count; i++)
            {
                var node = new Node(spans[i], null) { OwnRoot = root };
                nodes.Add(node);
                byId.TryAdd(node.Span.SpanId, node);
            }
        }

        var top = new List<Node>();
        for (var i = 0; i < nodes.Count; i++)
        {
            var node = nodes[i];
            if (node.Span.ParentSpanId != default
                && node.Span.ParentSpanId != node.Span.SpanId
                && byId.TryGetValue(node.Span.ParentSpanId, out var parent)
                && !ReferenceEquals(parent, node))
            {
                parent.Children.Add(node);
            }
            else if (node.OwnRoot is { } own)
            {
                own.Children.Add(node);
            }
            else
            {
                top.Add(node);
            }
        }

        for (var i = 0; i < nodes.Count; i++)
        {
            nodes[i].Children.Sort(ByStart);
        }

        top.Sort(ByStart);
        var text = new StringBuilder();
        if (continued)
        {
            text.Append(ContinuedLine);
        }

        var visited = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < top.Count; i++)
        {
            Draw(text, top[i], visited);
        }

        // Roots that are each other's descendants (ids that claim a loop) are reached from no line at the left.
        rootNodes.Sort(ByStart);
        for (var i = 0; i < rootNodes.Count; i++)
        {
            if (!visited.Contains(rootNodes[i]))
            {
                Draw(text, rootNodes[i], visited);
            }
        }

        return text.ToString();
    }

    private static int ByStart(Node a, Node b) => a.Span.StartUtc.CompareTo(b.Span.StartUtc);

    private static void Draw(StringBuilder text, Node start, HashSet<Node> visited)
    {
        var pending = new Stack<(Node Node, int Depth)>();
        pending.Push((start, 0));
        while (pending.Count > 0)
        {
            var (node, depth) = pending.Pop();
            if (node.DroppedNote is { } dropped)
            {
                NewLine(text, depth).Append("(+").Append(dropped.ToString(CultureInfo.InvariantCulture)).Append(" spans dropped)");
                continue;
            }

            if (!visited.Add(node))
            {
                continue;
            }

            AppendLine(NewLine(text, depth), node);
            if (node.Root is { DroppedSpanCount: > 0 } root)
            {
                pending.Push((new Node(default, null) { DroppedNote = root.DroppedSpanCount }, depth + 1));
            }

            for (var i = node.Children.Count - 1; i >= 0; i--)
            {
                pending.Push((node.Children[i], depth + 1));
            }
        }
    }

    private static StringBuilder NewLine(StringBuilder text, int depth)
    {
        if (text.Length > 0)
        {
            text.Append('\n');
        }

        for (var i = 0; i < depth; i++)
        {
            text.Append(Indent);
        }

        return text;
    }

    private static void AppendLine(StringBuilder text, Node node)
    {
        var span = node.Span;
        if (node.Root is { } root)
        {
            text.Append('[');
            AppendSafe(text, root.Service);
            text.Append("] ");
        }

        AppendSafe(text, span.Op);
        text.Append(Indent);
        AppendSafe(text, span.Name);
        text.Append(Indent)
            .Append(span.Duration.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture))
            .Append(" ms")
            .Append(Indent);
        AppendSafe(text, span.Status);
        text.Append(Indent).Append('#');
        Span<char> id = stackalloc char[16];
        span.SpanId.ToHexString().AsSpan().CopyTo(id);
        text.Append(id[..ShortSpanIdLength]);
    }

    /// <summary>
    /// Names carry request data (and the browser's spans are the browser's word): a line break must not forge a
    /// line of the tree, an escape sequence must not reach the terminal, and invisible or direction-changing
    /// characters must not make a line read as something it is not.
    /// </summary>
    internal static void AppendSafe(StringBuilder text, string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            text.Append(IsUnsafe(c) ? ' ' : c);
        }
    }

    private static bool IsUnsafe(char c) =>
        char.IsControl(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;

    private sealed class Node(ConsoleSpan span, ConsoleTraceRoot? root)
    {
        public ConsoleSpan Span { get; } = span;

        /// <summary>Set on the node of a root span: its service label and dropped count.</summary>
        public ConsoleTraceRoot? Root { get; } = root;

        /// <summary>The root node a span belongs to, its parent when its own parent is missing.</summary>
        public Node? OwnRoot { get; init; }

        /// <summary>Set on the pseudo-node of a "(+N spans dropped)" line.</summary>
        public int? DroppedNote { get; init; }

        public List<Node> Children { get; } = [];
    }
}
