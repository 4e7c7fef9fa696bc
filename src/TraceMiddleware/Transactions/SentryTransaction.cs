using System.Diagnostics;
using TraceMiddleware.Propagation;

namespace TraceMiddleware.Transactions;

/// <summary>
/// One finished local root span (a Sentry transaction: an <c>http.server</c> span, or a root started with
/// <c>SentryTracer</c>) with the child spans of this process that finished inside it, as Sentry receives it.
/// Exporters read it; a <c>BeforeSendTransaction</c> may change its name, status, tags, data, user, request and
/// spans before any exporter sees it. Built from the finished spans when first read, on the export path.
/// </summary>
public sealed class SentryTransaction
{
    /// <summary>The origin of a span that carries no <c>sentry.origin</c> tag, as in Sentry's SDKs.</summary>
    internal const string DefaultOrigin = "manual";

    private readonly IReadOnlyList<Activity> _activities;
    private readonly bool _sendDefaultPii;
    private readonly IDynamicSamplingContextSource? _dscSource;
    private DynamicSamplingContext? _dsc;
    private string? _name;
    private string? _status;
    private Dictionary<string, string>? _tags;
    private Dictionary<string, object?>? _data;
    private List<SentrySpan>? _spans;

    internal SentryTransaction(
        Activity root,
        IReadOnlyList<Activity> spans,
        int droppedSpanCount,
        DynamicSamplingContext? dynamicSamplingContext,
        string transactionSource,
        string? release,
        string environment,
        bool reportParentSpanId,
        TransactionDetails? details = null,
        IDynamicSamplingContextSource? dynamicSamplingContextSource = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(spans);
        if (dynamicSamplingContext is null && dynamicSamplingContextSource is null)
        {
            throw new ArgumentNullException(nameof(dynamicSamplingContext));
        }

        ArgumentNullException.ThrowIfNull(transactionSource);
        ArgumentNullException.ThrowIfNull(environment);
        Root = root;
        _activities = spans;
        DroppedSpanCount = droppedSpanCount;
        _dsc = dynamicSamplingContext;
        _dscSource = dynamicSamplingContextSource;
        TransactionSource = transactionSource;
        Release = release;
        Environment = environment;
        ReportParentSpanId = reportParentSpanId;
        Details = details ?? TransactionDetails.None;
        _sendDefaultPii = Details.SendDefaultPii;
        User = Details.User;
        Request = Details.Request;
    }

    /// <summary>The trace id (32 hex digits).</summary>
    public string TraceId => Root.TraceId.ToHexString();

    /// <summary>The root span's id (16 hex digits).</summary>
    public string SpanId => Root.SpanId.ToHexString();

    /// <summary>The caller's span id, or <see langword="null"/> when the trace starts here.</summary>
    public string? ParentSpanId => ReportParentSpanId && Root.ParentSpanId != default ? Root.ParentSpanId.ToHexString() : null;

    /// <summary>The transaction name, such as <c>GET /orders/{id}</c>. Setting it makes <see cref="TransactionSource"/> <c>custom</c>.</summary>
    public string Name
    {
        get => _name ?? Root.DisplayName;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            if (value != Name)
            {
                _name = value;
                TransactionSource = "custom";
            }
        }
    }

    /// <summary>How the name was made: <c>route</c>, <c>url</c> or <c>custom</c>.</summary>
    public string TransactionSource { get; private set; }

    /// <summary>Sentry's operation of the root span, such as <c>http.server</c>.</summary>
    public string Operation => SpanData.Operation(Root);

    /// <summary>Sentry's status, such as <c>ok</c> or <c>internal_error</c>.</summary>
    public string Status
    {
        get => _status ?? SpanStatus.Of(Root);
        set => _status = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>What made the root span, such as <c>auto.http.aspnetcore</c>.</summary>
    public string Origin => Root.GetTagItem(SpanTags.Origin) as string ?? DefaultOrigin;

    /// <summary>When the transaction started (UTC).</summary>
    public DateTime StartTimestamp => Root.StartTimeUtc;

    /// <summary>When the transaction ended (UTC).</summary>
    public DateTime EndTimestamp => Root.StartTimeUtc + Root.Duration;

    /// <summary>The release of this service, or <see langword="null"/>.</summary>
    public string? Release { get; set; }

    /// <summary>The environment of this service.</summary>
    public string Environment { get; set; }

    /// <summary>
    /// Sentry's tags (indexed and searchable): <c>DefaultTags</c>, the ones set with <c>SentryTracer.SetTag</c>
    /// while the transaction ran, and span tags named <c>sentry.tag.*</c>.
    /// </summary>
    public IDictionary<string, string> Tags => _tags ??= ReadTags();

    /// <summary>The root span's data: its attributes, without the query string, and without personal data unless <c>SendDefaultPii</c>.</summary>
    public IDictionary<string, object?> Data => _data ??= SpanData.Read(Root, _sendDefaultPii);

    /// <summary>The user, as set with <c>SentryTracer.SetUser</c> (and the client's address with <c>SendDefaultPii</c>).</summary>
    public SentryUser? User { get; set; }

    /// <summary>The request the transaction served, or <see langword="null"/> outside HTTP.</summary>
    public SentryRequest? Request { get; set; }

    /// <summary>The finished child spans of this process, in the order they finished (at most <see cref="MaxSpans"/>). Remove one to leave it out.</summary>
    public IList<SentrySpan> Spans => _spans ??= ReadSpans();

    /// <summary>How many descendants were left out (over the span limit, or finished after the root).</summary>
    public int DroppedSpanCount { get; }

    /// <summary>The trace's Dynamic Sampling Context, sent as the envelope's <c>trace</c> header.</summary>
    public DynamicSamplingContext DynamicSamplingContext => _dsc ??= _dscSource!.GetDynamicSamplingContext();

    /// <summary>The most child spans one transaction carries, as in Sentry's SDKs.</summary>
    public const int MaxSpans = 1000;

    /// <summary>The finished root span.</summary>
    internal Activity Root { get; }

    /// <summary>The finished child spans as they were recorded.</summary>
    internal IReadOnlyList<Activity> Activities => _activities;

    /// <summary>Whether the root's parent span id is the caller's real span (not made up for a caller that sent a trace id only).</summary>
    internal bool ReportParentSpanId { get; }

    internal TransactionDetails Details { get; }

    internal bool SendDefaultPii => _sendDefaultPii;

    /// <summary>The data when code has read or changed it; otherwise <see langword="null"/>, and the writer reads the span's tags.</summary>
    internal Dictionary<string, object?>? ChangedData => _data;

    /// <summary>The spans when code has read or changed them; otherwise <see langword="null"/>, and the writer reads the activities.</summary>
    internal List<SentrySpan>? ChangedSpans => _spans;

    /// <summary>The tags when code has read or changed them; otherwise <see langword="null"/>.</summary>
    internal Dictionary<string, string>? ChangedTags => _tags;

    private Dictionary<string, string> ReadTags()
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in Details.Tags)
        {
            tags[key] = value;
        }

        SpanData.ReadTags(Root, tags);
        return tags;
    }

    private List<SentrySpan> ReadSpans()
    {
        var spans = new List<SentrySpan>(_activities.Count);
        for (var i = 0; i < _activities.Count; i++)
        {
            spans.Add(new SentrySpan(_activities[i], _sendDefaultPii));
        }

        return spans;
    }
}
