using System.Diagnostics;

namespace TraceMiddleware.InteropTests.Infrastructure;

/// <summary>What a traced endpoint saw as <see cref="Activity.Current"/>.</summary>
public sealed record SpanReport(string? TraceId, string? SpanId, string? ParentSpanId, bool Recorded)
{
    public static SpanReport Current()
    {
        var a = Activity.Current;
        return new SpanReport(a?.TraceId.ToHexString(), a?.SpanId.ToHexString(), a?.ParentSpanId.ToHexString(), a?.Recorded ?? false);
    }
}
