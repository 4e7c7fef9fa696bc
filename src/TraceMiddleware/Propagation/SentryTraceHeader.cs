using System.Diagnostics;

namespace TraceMiddleware.Propagation;

/// <summary>
/// The <c>sentry-trace</c> header: <c>{trace_id}-{span_id}[-{sampled}]</c>.
/// </summary>
/// <remarks>
/// <para>
/// Parsing accepts exactly what Sentry's JavaScript SDKs accept
/// (<c>^[ \t]*([0-9a-f]{32})?-?([0-9a-f]{16})?-?([01])?[ \t]*$</c>), except that a value without a
/// trace id, or with an all-zero trace or span id, is rejected: all of those start a new trace.
/// </para>
/// <para>
/// The ids are stored as numbers, so parsing and formatting never allocate;
/// <see cref="TraceId"/> and <see cref="SpanId"/> create a new Activity id (one string) on every access.
/// </para>
/// <para>
/// <c>default(SentryTraceHeader)</c> has no trace id; it is not a valid header and formats as the
/// empty string, so an all-zero id never reaches the wire.
/// </para>
/// </remarks>
internal readonly struct SentryTraceHeader : IEquatable<SentryTraceHeader>
{
    /// <summary>The header name: <c>sentry-trace</c>.</summary>
    public const string HeaderName = "sentry-trace";

    /// <summary>Characters in a trace id: 32 lowercase hex.</summary>
    public const int TraceIdLength = HexId.TraceIdLength;

    /// <summary>Characters in a span id: 16 lowercase hex.</summary>
    public const int SpanIdLength = HexId.SpanIdLength;

    /// <summary>Characters in the sampled flag: <c>1</c> or <c>0</c>.</summary>
    public const int SampledLength = 1;

    /// <summary>Characters in each dash separator.</summary>
    public const int SeparatorLength = 1;

    /// <summary>
    /// The longest value <see cref="TryFormat"/> writes: trace id, dash, span id, dash, sampled flag (51).
    /// </summary>
    public const int MaxLength = TraceIdLength + SeparatorLength + SpanIdLength + SeparatorLength + SampledLength;

    private readonly UInt128 _traceId;
    private readonly ulong _spanId;
    private readonly bool? _sampled;

    /// <summary>Creates a header for an outgoing request.</summary>
    /// <param name="traceId">The trace id; must not be all zeros.</param>
    /// <param name="spanId">
    /// The id of the span making the call; <c>default</c> means no span id (<see cref="HasSpanId"/> is
    /// <see langword="false"/>).
    /// </param>
    /// <param name="sampled">The sampling decision, or <see langword="null"/> when it is deferred.</param>
    /// <exception cref="ArgumentException"><paramref name="traceId"/> is all zeros.</exception>
    public SentryTraceHeader(ActivityTraceId traceId, ActivitySpanId spanId, bool? sampled)
        : this(HexId.FromActivityTraceId(traceId), HexId.FromActivitySpanId(spanId), sampled)
    {
        if (_traceId == UInt128.Zero)
        {
            throw new ArgumentException("The trace id must not be all zeros: peers reject it.", nameof(traceId));
        }
    }

    private SentryTraceHeader(UInt128 traceId, ulong spanId, bool? sampled)
    {
        _traceId = traceId;
        _spanId = spanId;
        _sampled = sampled;
    }

    /// <summary>
    /// The trace id; creates a new <see cref="ActivityTraceId"/> (one string allocation) on each access.
    /// </summary>
    public ActivityTraceId TraceId => HexId.ToActivityTraceId(_traceId);

    /// <summary>
    /// The caller's span id, or <c>default</c> when <see cref="HasSpanId"/> is <see langword="false"/>;
    /// creates a new <see cref="ActivitySpanId"/> (one string allocation) on each access.
    /// </summary>
    public ActivitySpanId SpanId => HexId.ToActivitySpanId(_spanId);

    /// <summary>Whether the header carries a span id (the JS grammar makes it optional).</summary>
    public bool HasSpanId => _spanId != 0;

    /// <summary>
    /// The sampling decision: <see langword="true"/> for <c>-1</c>, <see langword="false"/> for
    /// <c>-0</c>, <see langword="null"/> when no decision was made yet (deferred).
    /// </summary>
    public bool? Sampled => _sampled;

    internal UInt128 TraceIdValue => _traceId;

    internal ulong SpanIdValue => _spanId;

    /// <summary>Whether two headers carry the same ids and decision.</summary>
    public static bool operator ==(SentryTraceHeader left, SentryTraceHeader right) => left.Equals(right);

    /// <summary>Whether two headers differ in an id or the decision.</summary>
    public static bool operator !=(SentryTraceHeader left, SentryTraceHeader right) => !left.Equals(right);

    /// <summary>
    /// Parses a <c>sentry-trace</c> value the way Sentry's JavaScript SDKs do; never throws.
    /// </summary>
    /// <param name="value">The header value.</param>
    /// <param name="header">The parsed header, or <c>default</c> when the value is rejected.</param>
    /// <returns>
    /// <see langword="false"/> when the value does not match the JS grammar, has no trace id, or has an
    /// all-zero trace or span id; the caller then starts a new trace.
    /// </returns>
    public static bool TryParse(ReadOnlySpan<char> value, out SentryTraceHeader header)
    {
        header = default;
        var s = OptionalWhitespace.Trim(value);

        // A match of the JS regex without its trace id group is useless to us (a new trace starts), so
        // the 32 hex characters are required up front.
        // An all-zero trace id is rejected too (the end result would be the same).
        if (s.Length < TraceIdLength || !HexId.TryParseTraceId(s[..TraceIdLength], out var traceId))
        {
            return false;
        }

        var pos = TraceIdLength;

        if (pos < s.Length && s[pos] == '-')
        {
            pos++;
        }

        // Greedy like the regex: once 16 hex characters follow, no backtracking alternative can match
        // the rest, because after an absent span group only "-", "0" or "1" may remain.
        ulong spanId = 0;
        var hasSpanId = false;
        if (s.Length - pos >= SpanIdLength && HexId.IsLowerHex(s.Slice(pos, SpanIdLength)))
        {
            hasSpanId = true;
            HexId.TryParseSpanId(s.Slice(pos, SpanIdLength), out spanId);
            pos += SpanIdLength;
        }

        if (pos < s.Length && s[pos] == '-')
        {
            pos++;
        }

        bool? sampled = null;
        if (pos < s.Length && (s[pos] == '0' || s[pos] == '1'))
        {
            sampled = s[pos] == '1';
            pos++;
        }

        if (pos != s.Length || traceId == UInt128.Zero || (hasSpanId && spanId == 0))
        {
            return false;
        }

        header = new SentryTraceHeader(traceId, spanId, sampled);
        return true;
    }

    /// <summary>
    /// Writes <c>{trace_id}-{span_id}</c>, plus <c>-1</c> or <c>-0</c> only when <see cref="Sampled"/>
    /// has a value. Without a span id it writes <c>{trace_id}</c> plus the flag, which
    /// <see cref="TryParse"/> reads back to the same value.
    /// </summary>
    /// <param name="destination">The buffer; <see cref="MaxLength"/> characters always suffice.</param>
    /// <param name="charsWritten">How many characters were written.</param>
    /// <returns><see langword="false"/> when <paramref name="destination"/> is too small.</returns>
    public bool TryFormat(Span<char> destination, out int charsWritten)
    {
        charsWritten = 0;
        if (_traceId == UInt128.Zero)
        {
            return true;
        }

        var length = TraceIdLength
            + (HasSpanId ? SeparatorLength + SpanIdLength : 0)
            + (_sampled.HasValue ? SeparatorLength + SampledLength : 0);
        if (destination.Length < length)
        {
            return false;
        }

        HexId.TryFormatTraceId(_traceId, destination, out var pos);
        if (HasSpanId)
        {
            destination[pos++] = '-';
            HexId.TryFormatSpanId(_spanId, destination[pos..], out var written);
            pos += written;
        }

        if (_sampled is bool sampled)
        {
            destination[pos++] = '-';
            destination[pos++] = sampled ? '1' : '0';
        }

        charsWritten = pos;
        return true;
    }

    /// <summary>The header value as <see cref="TryFormat"/> writes it.</summary>
    public override string ToString()
    {
        Span<char> buffer = stackalloc char[MaxLength];
        TryFormat(buffer, out var written);
        return new string(buffer[..written]);
    }

    /// <inheritdoc />
    public bool Equals(SentryTraceHeader other) =>
        _traceId == other._traceId && _spanId == other._spanId && _sampled == other._sampled;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is SentryTraceHeader other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(_traceId, _spanId, _sampled);
}
