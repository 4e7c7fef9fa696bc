using Sentry;
using Sentry.Extensibility;

namespace TraceMiddleware.Sentry;

/// <summary>
/// Puts each event Sentry's SDK captures into our trace: the trace id and the id of the span it failed in (see
/// <see cref="FailingSpan"/>), that span's parent, and our transaction's name. Sentry's SDK has already filled these
/// from its own scope (a trace of its own, or the caller's trace with a span id no transaction has); outside our
/// traces the event is left as it is.
/// </summary>
internal sealed class TraceContextEventProcessor : ISentryEventProcessor
{
    public SentryEvent? Process(SentryEvent @event)
    {
        if (FailingSpan.Find(@event.Exception, out var root) is not { } span || root is null)
        {
            return @event;
        }

        var trace = @event.Contexts.Trace;
        trace.TraceId = SentryId.Parse(span.TraceId.ToHexString());
        trace.SpanId = SpanId.Parse(span.SpanId.ToHexString());
        var reportParent = span.ParentSpanId != default && (!ReferenceEquals(span, root.Activity) || !root.SyntheticParent);
        trace.ParentSpanId = reportParent ? SpanId.Parse(span.ParentSpanId.ToHexString()) : null;

        // Placed inside Sentry's middleware, this runs before ours has named the request after its route.
        root.RefreshName();
        @event.TransactionName = root.Name;
        return @event;
    }
}
