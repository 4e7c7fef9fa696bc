using System.Diagnostics;
using TraceMiddleware.Tracing;

namespace TraceMiddleware.Sentry;

/// <summary>Which of our spans an error event belongs to.</summary>
internal static class FailingSpan
{
    /// <summary>
    /// The span an event is about: where its exception was thrown (when that was in the trace being captured in, or
    /// when nothing is current), else the current span; then the nearest of our spans that a Sentry transaction
    /// holds (the root, <see cref="SentryTracer"/> spans, outgoing calls), since another source's spans are not sent.
    /// <see langword="null"/> when the event happens outside our traces.
    /// </summary>
    public static Activity? Find(Exception? exception, out TraceRoot? root)
    {
        var span = Activity.Current;
        root = TraceRoot.Find(span);
        if (exception is not null
            && ThrowSites.Find(exception) is { } thrownIn
            && TraceRoot.Find(thrownIn) is { } thrownRoot
            && (root is null || ReferenceEquals(root, thrownRoot)))
        {
            span = thrownIn;
            root = thrownRoot;
        }

        if (root is null)
        {
            return null;
        }

        for (var a = span; a is not null && !ReferenceEquals(a, root.Activity); a = a.Parent)
        {
            if (a.Source.Name is TraceMiddlewareActivitySource.Name or SpanListener.HttpClientSourceName)
            {
                return a;
            }
        }

        return root.Activity;
    }
}
