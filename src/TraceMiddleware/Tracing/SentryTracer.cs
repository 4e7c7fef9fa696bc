using System.Diagnostics;
using TraceMiddleware.Propagation;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.Tracing;

/// <summary>
/// Tracing outside HTTP requests (queue consumers, jobs, scripts): continue a trace from header strings,
/// start spans, and read the headers to pass on by hand. Registered by <c>AddTracing</c>; inject it.
/// Every span is an <see cref="Activity"/>: dispose it to finish it.
/// </summary>
public sealed class SentryTracer
{
    private readonly TracingRuntime _runtime;

    internal SentryTracer(TracingRuntime runtime) => _runtime = runtime;

    /// <summary>
    /// Starts a transaction that continues the trace in <paramref name="sentryTrace"/> and
    /// <paramref name="baggage"/> (for example read from a message's metadata or from environment
    /// variables); a missing or malformed value starts a new trace instead.
    /// </summary>
    /// <param name="sentryTrace">The <c>sentry-trace</c> value, or <see langword="null"/>.</param>
    /// <param name="baggage">The <c>baggage</c> value, or <see langword="null"/>.</param>
    /// <param name="name">The transaction name, such as <c>process order</c>.</param>
    /// <param name="op">The operation, such as <c>queue.process</c>. Default <c>task</c>.</param>
    /// <returns>The root span, now current; <see langword="null"/> only when tracing could not start a span.</returns>
    public Activity? ContinueTrace(string? sentryTrace, string? baggage, string name, string op = SpanOps.DefaultManual)
    {
        ArgumentNullException.ThrowIfNull(name);
        return ContinueTrace(header => header switch
        {
            SentryTraceHeader.HeaderName => sentryTrace,
            Baggage.HeaderName => baggage,
            _ => null,
        }, name, op);
    }

    /// <summary>
    /// Starts a transaction that continues the trace found through <paramref name="getHeader"/>, which is
    /// asked for <c>sentry-trace</c>, <c>baggage</c>, <c>traceparent</c> and <c>tracestate</c> as far as they are needed. The same
    /// rules as for HTTP requests apply (sampling, the organization check, <c>ContinueFromTraceparent</c>).
    /// </summary>
    /// <param name="getHeader">Returns a header's value by its lower-case name, or <see langword="null"/>.</param>
    /// <param name="name">The transaction name.</param>
    /// <param name="op">The operation. Default <c>task</c>.</param>
    /// <returns>The root span, now current.</returns>
    public Activity? ContinueTrace(Func<string, string?> getHeader, string name, string op = SpanOps.DefaultManual)
    {
        ArgumentNullException.ThrowIfNull(getHeader);
        ArgumentNullException.ThrowIfNull(name);
        var options = _runtime.Options;
        var incoming = IncomingTrace.Read(
            new CallbackTraceHeaders(getHeader),
            options.ContinueFromTraceparent,
            _runtime.OrgId,
            options.StrictTraceContinuation,
            out var outcome);
        return StartRoot(name, op, ActivityKind.Consumer, incoming, outcome);
    }

    /// <summary>Starts a transaction in a new trace.</summary>
    /// <param name="name">The transaction name.</param>
    /// <param name="op">The operation. Default <c>task</c>.</param>
    /// <returns>The root span, now current.</returns>
    public Activity? StartTransaction(string name, string op = SpanOps.DefaultManual)
    {
        ArgumentNullException.ThrowIfNull(name);
        return StartRoot(name, op, ActivityKind.Internal, null, ContinuationOutcome.NoHeaders);
    }

    /// <summary>
    /// Starts a child of the current span (for example <c>db.query</c> inside a request); with no
    /// current trace, a transaction in a new trace.
    /// </summary>
    /// <param name="name">The span description, such as <c>INSERT INTO orders</c>.</param>
    /// <param name="op">The operation, such as <c>db.query</c>.</param>
    /// <returns>The span, now current.</returns>
    public Activity? StartSpan(string name, string op)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(op);
        var root = TraceRoot.Find(Activity.Current);
        return root is null
            ? StartTransaction(name, op)
            : _runtime.StartChild(name, op, SpanOps.OriginManual, ActivityKind.Internal, root);
    }

    /// <summary>
    /// Puts a Sentry tag (indexed and searchable in Sentry) on the current transaction: the request being served,
    /// or the root started with this tracer. Sentry's limits apply: keys up to 32 characters, values up to 200.
    /// </summary>
    /// <param name="key">The tag's name, such as <c>tenant</c>.</param>
    /// <param name="value">The tag's value, such as <c>acme</c>.</param>
    /// <returns><see langword="false"/> when there is no current transaction of this host to put it on.</returns>
    public bool SetTag(string key, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        if (CurrentRoot() is not { } root)
        {
            return false;
        }

        root.SetTag(key, value);
        return true;
    }

    /// <summary>
    /// Says who the current transaction is about (its user in Sentry): what is set here is sent as it is. The
    /// client's address is added only with <c>SendDefaultPii</c>, and only when <paramref name="user"/> names none.
    /// </summary>
    /// <param name="user">The user, or <see langword="null"/> to forget the one set before.</param>
    /// <returns><see langword="false"/> when there is no current transaction of this host.</returns>
    public bool SetUser(SentryUser? user)
    {
        if (CurrentRoot() is not { } root)
        {
            return false;
        }

        root.User = user?.Clone();
        return true;
    }

    private TraceRoot? CurrentRoot() => TraceRoot.Find(Activity.Current) is { } root && ReferenceEquals(root.Runtime, _runtime) ? root : null;

    private Activity StartRoot(string name, string op, ActivityKind kind, IncomingTrace? incoming, ContinuationOutcome outcome) =>
        _runtime.StartRoot(name, kind, incoming, activity => new TraceRoot(_runtime, activity, incoming, op, SpanOps.OriginManual)
        {
            Outcome = outcome,
            SyntheticParent = incoming is { HasParentSpanId: false },
        }).Activity;

    /// <summary>
    /// The headers that carry the current trace on, to put on a message or request by hand. Unlike the
    /// HttpClient handler this does not check the propagation targets: you decide where they go.
    /// </summary>
    /// <returns>The headers; <see cref="TraceHeaders.IsEmpty"/> when there is no current trace.</returns>
    public TraceHeaders GetTraceHeaders()
    {
        var current = Activity.Current;
        if (current is null)
        {
            return default;
        }

        var root = TraceRoot.Find(current);
        return TraceHeaderWriter.Create(current, root, _runtime, _runtime.Options.PropagateTraceparent, null, root is null ? current.Recorded : null);
    }
}
