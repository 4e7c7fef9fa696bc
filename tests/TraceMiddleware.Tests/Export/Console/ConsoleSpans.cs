using System.Diagnostics;
using TraceMiddleware.Export.Console;

namespace TraceMiddleware.Tests.Export.Console;

/// <summary>Builds the console's spans and roots by hand, with readable ids.</summary>
internal static class ConsoleSpans
{
    public static readonly DateTime T0 = new(2025, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    public static ActivityTraceId Trace(int n) => ActivityTraceId.CreateFromString($"{n:x32}");

    // The short id a tree line shows is the first eight digits: here, n itself.
    public static ActivitySpanId Id(int n) => ActivitySpanId.CreateFromString($"{n:x8}{n:x8}");

    public static ConsoleSpan Span(int id, int parent, string op, string name, double startMs, double durationMs, string status = "ok") =>
        new(Id(id), parent == 0 ? default : Id(parent), op, name, T0.AddMilliseconds(startMs), TimeSpan.FromMilliseconds(durationMs), status);

    public static ConsoleTraceRoot Root(string service, int trace, ConsoleSpan root, params ConsoleSpan[] spans) =>
        new(service, Trace(trace), root, spans, 0);

    /// <summary>A root with <paramref name="children"/> child spans under it.</summary>
    public static ConsoleTraceRoot Sized(string service, int trace, int rootId, int children)
    {
        var spans = new ConsoleSpan[children];
        for (var i = 0; i < children; i++)
        {
            spans[i] = Span(rootId * 10_000 + i + 1, rootId, "db.query", "q" + i, i, 1);
        }

        return new ConsoleTraceRoot(service, Trace(trace), Span(rootId, 0, "http.server", "GET /", 0, 10), spans, 0);
    }
}
