using System.Diagnostics;
using TraceMiddleware.Propagation;
using TraceMiddleware.Tracing;

namespace TraceMiddleware.Export;

/// <summary>
/// One finished local root span (a Sentry transaction: an <c>http.server</c> span, or a root started
/// with <c>SentryTracer</c>) with the child spans of this process that finished inside it.
/// </summary>
public sealed class SentryTransaction
{
    /// <summary>Creates a transaction; the export pipeline builds these, tests and custom exporters read them.</summary>
    /// <param name="root">The finished root span.</param>
    /// <param name="spans">Its finished descendants, in the order they finished.</param>
    /// <param name="droppedSpanCount">Descendants left out (over the span limit, or finished after the root).</param>
    /// <param name="dynamicSamplingContext">The trace's Dynamic Sampling Context, sent as the envelope's <c>trace</c> header.</param>
    /// <param name="transactionSource">How the name was made: <c>route</c>, <c>url</c> or <c>custom</c>.</param>
    /// <param name="release">The release of this service, or <see langword="null"/>.</param>
    /// <param name="environment">The environment of this service.</param>
    /// <param name="reportParentSpanId">Whether the root's parent span id is real and is to be reported.</param>
    internal SentryTransaction(
        Activity root,
        IReadOnlyList<Activity> spans,
        int droppedSpanCount,
        DynamicSamplingContext dynamicSamplingContext,
        string transactionSource,
        string? release,
        string environment,
        bool reportParentSpanId)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(spans);
        ArgumentNullException.ThrowIfNull(dynamicSamplingContext);
        ArgumentNullException.ThrowIfNull(transactionSource);
        ArgumentNullException.ThrowIfNull(environment);
        Root = root;
        Spans = spans;
        DroppedSpanCount = droppedSpanCount;
        DynamicSamplingContext = dynamicSamplingContext;
        TransactionSource = transactionSource;
        Release = release;
        Environment = environment;
        ReportParentSpanId = reportParentSpanId;
    }

    /// <summary>The root span; its <see cref="Activity.DisplayName"/> is the transaction name.</summary>
    public Activity Root { get; }

    /// <summary>The root's finished descendants in this process (at most <see cref="MaxSpans"/>).</summary>
    public IReadOnlyList<Activity> Spans { get; }

    /// <summary>How many descendants were left out.</summary>
    public int DroppedSpanCount { get; }

    /// <summary>The trace's Dynamic Sampling Context.</summary>
    public DynamicSamplingContext DynamicSamplingContext { get; }

    /// <summary>How the name was made: <c>route</c>, <c>url</c> or <c>custom</c>.</summary>
    public string TransactionSource { get; }

    /// <summary>The release of this service.</summary>
    public string? Release { get; }

    /// <summary>The environment of this service.</summary>
    public string Environment { get; }

    /// <summary>Whether <c>Root.ParentSpanId</c> is the caller's real span (and not made up for a caller that sent a trace id only).</summary>
    public bool ReportParentSpanId { get; }

    /// <summary>The most child spans one transaction carries, as in Sentry's SDKs.</summary>
    public const int MaxSpans = SpanBuffer.MaxSpans;
}
