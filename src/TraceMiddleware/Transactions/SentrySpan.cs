using System.Diagnostics;

namespace TraceMiddleware.Transactions;

/// <summary>
/// One child span of a <see cref="SentryTransaction"/>, as Sentry receives it. A <c>BeforeSendTransaction</c> may
/// change its description, status and data; its ids and times are the span's own.
/// </summary>
public sealed class SentrySpan
{
    private readonly bool _sendDefaultPii;
    private string? _operation;
    private string? _description;
    private string? _status;
    private Dictionary<string, object?>? _data;

    internal SentrySpan(Activity activity, bool sendDefaultPii)
    {
        Activity = activity;
        _sendDefaultPii = sendDefaultPii;
    }

    /// <summary>The span id (16 hex digits).</summary>
    public string SpanId => Activity.SpanId.ToHexString();

    /// <summary>The parent span's id, or <see langword="null"/> when the span has none.</summary>
    public string? ParentSpanId => Activity.ParentSpanId == default ? null : Activity.ParentSpanId.ToHexString();

    /// <summary>Sentry's operation, such as <c>http.client</c> or <c>db.query</c>.</summary>
    public string Operation
    {
        get => _operation ?? SpanData.Operation(Activity);
        set => _operation = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>What the span did, such as <c>GET http://payments/charge</c>.</summary>
    public string Description
    {
        get => _description ?? Activity.DisplayName;
        set => _description = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Sentry's span status, such as <c>ok</c> or <c>not_found</c>.</summary>
    public string Status
    {
        get => _status ?? SpanStatus.Of(Activity);
        set => _status = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>What made the span, such as <c>auto.http.httpclient</c>.</summary>
    public string Origin => Activity.GetTagItem(SpanTags.Origin) as string ?? SentryTransaction.DefaultOrigin;

    /// <summary>When the span started (UTC).</summary>
    public DateTime StartTimestamp => Activity.StartTimeUtc;

    /// <summary>When the span ended (UTC).</summary>
    public DateTime EndTimestamp => Activity.StartTimeUtc + Activity.Duration;

    /// <summary>The span's data: its attributes, without the query string, and without personal data unless <c>SendDefaultPii</c>.</summary>
    public IDictionary<string, object?> Data => _data ??= SpanData.Read(Activity, _sendDefaultPii);

    internal Activity Activity { get; }

    /// <summary>The data when code has read or changed it; otherwise <see langword="null"/>, and the writer reads the span's tags.</summary>
    internal Dictionary<string, object?>? ChangedData => _data;

    internal bool SendDefaultPii => _sendDefaultPii;
}
