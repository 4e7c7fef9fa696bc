using System.Diagnostics;

namespace TraceMiddleware.Export.Console;

/// <summary>The roots of one trace waiting in the <see cref="ConsoleTraceMerger"/> (guarded by its lock).</summary>
internal sealed class PendingConsoleTrace(ActivityTraceId traceId, DateTimeOffset due, bool continued)
{
    public ActivityTraceId TraceId { get; } = traceId;

    /// <summary>When its tree is logged, whatever else arrives.</summary>
    public DateTimeOffset Due { get; } = due;

    /// <summary>Whether a tree of the same trace was logged before.</summary>
    public bool Continued { get; } = continued;

    public List<ConsoleTraceRoot> Roots { get; } = [];

    /// <summary>The hosts that handed in a root; the tree is logged through one still attached.</summary>
    public List<ConsoleTraceSink> Contributors { get; } = [];

    public int SpanCount { get; set; }

    /// <summary>Its place in the merger's list by age.</summary>
    public LinkedListNode<PendingConsoleTrace>? Node { get; set; }
}
