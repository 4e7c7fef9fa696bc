using System.Diagnostics;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.Tracing;

/// <summary>
/// The finished child spans of one local root, kept on the root's state until the root finishes. Bounded by
/// <see cref="MaxSpans"/>; once closed it keeps nothing, so a span that outlives its
/// root is refused rather than held.
/// </summary>
internal sealed class SpanBuffer
{
    /// <summary>The most child spans one transaction carries, as in Sentry's SDKs.</summary>
    public const int MaxSpans = Transactions.SentryTransaction.MaxSpans;

    /// <summary>
    /// A buffer that is closed already: what a root that never had a child finishes with, so that finishing
    /// allocates nothing and a child that outlives its root is still refused.
    /// </summary>
    public static SpanBuffer Closed { get; } = CreateClosed();

    // One lock per transaction: only the spans of one request ever contend for it.
    private readonly Lock _gate = new();
    private List<Activity>? _spans;
    private int _dropped;
    private bool _closed;

    /// <summary>Whether <see cref="Close"/> has run.</summary>
    public bool IsClosed
    {
        get
        {
            lock (_gate)
            {
                return _closed;
            }
        }
    }

    /// <summary>
    /// Keeps a finished child, or counts it when the buffer already holds <see cref="MaxSpans"/>.
    /// </summary>
    /// <returns><see langword="false"/> when the root has already finished: the span is neither kept nor counted here.</returns>
    public bool TryAdd(Activity span)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return false;
            }

            _spans ??= new List<Activity>(4);
            if (_spans.Count < MaxSpans)
            {
                _spans.Add(span);
            }
            else
            {
                _dropped++;
            }

            return true;
        }
    }

    private static SpanBuffer CreateClosed()
    {
        var buffer = new SpanBuffer();
        buffer.Close(out _);
        return buffer;
    }

    /// <summary>Hands the kept spans over (in the order they finished) and refuses every later one.</summary>
    public IReadOnlyList<Activity> Close(out int droppedCount)
    {
        lock (_gate)
        {
            _closed = true;
            var spans = _spans;
            _spans = null;
            droppedCount = _dropped;
            return spans ?? (IReadOnlyList<Activity>)Array.Empty<Activity>();
        }
    }
}
