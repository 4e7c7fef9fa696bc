using System.Diagnostics;

namespace TraceMiddleware.Propagation;

/// <summary>
/// The W3C Trace Context (Level 2) <c>traceparent</c> header:
/// <c>{version}-{trace-id}-{parent-id}-{trace-flags}</c>.
/// </summary>
/// <remarks>
/// <para>
/// The ids are stored as numbers, so parsing and formatting never allocate;
/// <see cref="TraceId"/> and <see cref="ParentId"/> create a new Activity id (one string) on every
/// access.
/// </para>
/// <para>
/// <c>default(TraceParentHeader)</c> has no ids; it is not a valid header and formats as the empty
/// string, so an all-zero id never reaches the wire.
/// </para>
/// </remarks>
internal readonly struct TraceParentHeader : IEquatable<TraceParentHeader>
{
    /// <summary>The header name: <c>traceparent</c>.</summary>
    public const string HeaderName = "traceparent";

    /// <summary>Characters in the version field: 2 lowercase hex.</summary>
    public const int VersionLength = 2;

    /// <summary>Characters in the trace id: 32 lowercase hex.</summary>
    public const int TraceIdLength = HexId.TraceIdLength;

    /// <summary>Characters in the parent id: 16 lowercase hex.</summary>
    public const int ParentIdLength = HexId.SpanIdLength;

    /// <summary>Characters in the trace flags field: 2 lowercase hex.</summary>
    public const int FlagsLength = 2;

    /// <summary>Characters in each dash separator.</summary>
    public const int SeparatorLength = 1;

    /// <summary>
    /// The length of a version <c>00</c> value, and the least a later version may have (55).
    /// </summary>
    public const int Length = VersionLength + SeparatorLength + TraceIdLength + SeparatorLength
        + ParentIdLength + SeparatorLength + FlagsLength;

    /// <summary>The version this type writes: <c>00</c>.</summary>
    public const byte CurrentVersion = 0x00;

    /// <summary>The version the specification forbids: <c>ff</c>.</summary>
    public const byte InvalidVersion = 0xff;

    /// <summary>
    /// The Level 2 random trace-id flag (<c>0x02</c>): at least the right-most 7 bytes of the trace id are
    /// random. <see cref="ActivityTraceFlags"/> has no member for it.
    /// </summary>
    public const ActivityTraceFlags RandomTraceIdFlag = (ActivityTraceFlags)0x02;

    // The flags Level 2 defines; "Vendors MUST set those [other flags] to zero".
    private const byte KnownFlags = (byte)ActivityTraceFlags.Recorded | (byte)RandomTraceIdFlag;

    private const int TraceIdOffset = VersionLength + SeparatorLength;
    private const int ParentIdOffset = TraceIdOffset + TraceIdLength + SeparatorLength;
    private const int FlagsOffset = ParentIdOffset + ParentIdLength + SeparatorLength;

    private readonly UInt128 _traceId;
    private readonly ulong _parentId;
    private readonly byte _version;
    private readonly byte _flags;

    /// <summary>Creates a version <c>00</c> header for an outgoing request.</summary>
    /// <param name="traceId">The trace id; must not be all zeros.</param>
    /// <param name="parentId">The id of the span making the call; must not be all zeros.</param>
    /// <param name="flags">
    /// The trace flags; only <see cref="ActivityTraceFlags.Recorded"/> and <see cref="RandomTraceIdFlag"/> are written.
    /// </param>
    /// <exception cref="ArgumentException">An id is all zeros.</exception>
    public TraceParentHeader(ActivityTraceId traceId, ActivitySpanId parentId, ActivityTraceFlags flags)
        : this(CurrentVersion, HexId.FromActivityTraceId(traceId), HexId.FromActivitySpanId(parentId), (byte)flags)
    {
        if (_traceId == UInt128.Zero)
        {
            throw new ArgumentException("The trace id must not be all zeros: W3C Trace Context forbids it.", nameof(traceId));
        }

        if (_parentId == 0)
        {
            throw new ArgumentException("The parent id must not be all zeros: W3C Trace Context forbids it.", nameof(parentId));
        }
    }

    private TraceParentHeader(byte version, UInt128 traceId, ulong parentId, byte flags)
    {
        _version = version;
        _traceId = traceId;
        _parentId = parentId;
        _flags = flags;
    }

    /// <summary>
    /// The trace id; creates a new <see cref="ActivityTraceId"/> (one string allocation) on each access.
    /// </summary>
    public ActivityTraceId TraceId => HexId.ToActivityTraceId(_traceId);

    /// <summary>
    /// The caller's span id; creates a new <see cref="ActivitySpanId"/> (one string allocation) on each
    /// access.
    /// </summary>
    public ActivitySpanId ParentId => HexId.ToActivitySpanId(_parentId);

    /// <summary>
    /// The trace flags as received, unknown bits included (Level 2 defines <c>0x01</c> sampled and
    /// <c>0x02</c> random).
    /// </summary>
    public ActivityTraceFlags Flags => (ActivityTraceFlags)_flags;

    /// <summary>Whether the sampled bit (<c>0x01</c>) is set; no other bit takes part.</summary>
    public bool Sampled => (_flags & (byte)ActivityTraceFlags.Recorded) != 0;

    /// <summary>Whether the random trace-id bit (<see cref="RandomTraceIdFlag"/>, <c>0x02</c>) is set.</summary>
    public bool RandomTraceId => (_flags & (byte)RandomTraceIdFlag) != 0;

    /// <summary>The version as received; <see cref="CurrentVersion"/> for headers created here.</summary>
    public byte Version => _version;

    internal UInt128 TraceIdValue => _traceId;

    internal ulong ParentIdValue => _parentId;

    /// <summary>Whether two headers have the same version, ids and flags.</summary>
    public static bool operator ==(TraceParentHeader left, TraceParentHeader right) => left.Equals(right);

    /// <summary>Whether two headers differ in version, an id or the flags.</summary>
    public static bool operator !=(TraceParentHeader left, TraceParentHeader right) => !left.Equals(right);

    /// <summary>
    /// Parses a <c>traceparent</c> value per W3C Trace Context Level 2; never throws.
    /// </summary>
    /// <remarks>
    /// Spaces and tabs around the value are ignored. Version <c>00</c> must be exactly
    /// <see cref="Length"/> characters; a later version may go on after a <c>-</c> at index 55, and the
    /// rest is ignored. Version <c>ff</c>, all-zero ids and uppercase hex are rejected.
    /// </remarks>
    /// <param name="value">The header value.</param>
    /// <param name="header">The parsed header, or <c>default</c> when the value is rejected.</param>
    /// <returns><see langword="false"/> when the caller must start a new trace.</returns>
    public static bool TryParse(ReadOnlySpan<char> value, out TraceParentHeader header)
    {
        header = default;
        var s = OptionalWhitespace.Trim(value);
        if (s.Length < Length
            || !TryParseByte(s[..VersionLength], out var version)
            || version == InvalidVersion
            || s[VersionLength] != '-'
            || s[ParentIdOffset - 1] != '-'
            || s[FlagsOffset - 1] != '-'
            || !HexId.TryParseTraceId(s.Slice(TraceIdOffset, TraceIdLength), out var traceId)
            || !HexId.TryParseSpanId(s.Slice(ParentIdOffset, ParentIdLength), out var parentId)
            || !TryParseByte(s.Slice(FlagsOffset, FlagsLength), out var flags))
        {
            return false;
        }

        // Version 00 defines nothing after the flags; a later version may append fields, but only
        // after a dash, so "01." and the like still fail.
        if (s.Length > Length && (version == CurrentVersion || s[Length] != '-'))
        {
            return false;
        }

        header = new TraceParentHeader(version, traceId, parentId, flags);
        return true;
    }

    /// <summary>
    /// Writes <c>00-{trace-id}-{parent-id}-{flags}</c> with the two flags Level 2 defines, sampled
    /// (<c>0x01</c>) and random trace id (<c>0x02</c>), and every other bit zero, whatever version was received.
    /// </summary>
    /// <param name="destination">The buffer; <see cref="Length"/> characters suffice.</param>
    /// <param name="charsWritten">How many characters were written.</param>
    /// <returns><see langword="false"/> when <paramref name="destination"/> is too small.</returns>
    public bool TryFormat(Span<char> destination, out int charsWritten)
    {
        charsWritten = 0;
        if (_traceId == UInt128.Zero)
        {
            return true;
        }

        if (destination.Length < Length)
        {
            return false;
        }

        destination[0] = '0';
        destination[1] = '0';
        destination[VersionLength] = '-';
        HexId.TryFormatTraceId(_traceId, destination[TraceIdOffset..], out _);
        destination[ParentIdOffset - 1] = '-';
        HexId.TryFormatSpanId(_parentId, destination[ParentIdOffset..], out _);
        destination[FlagsOffset - 1] = '-';
        destination[FlagsOffset] = '0';
        destination[FlagsOffset + 1] = (char)('0' + (_flags & KnownFlags));
        charsWritten = Length;
        return true;
    }

    /// <summary>The header value as <see cref="TryFormat"/> writes it.</summary>
    public override string ToString()
    {
        Span<char> buffer = stackalloc char[Length];
        TryFormat(buffer, out var written);
        return new string(buffer[..written]);
    }

    /// <inheritdoc />
    public bool Equals(TraceParentHeader other) =>
        _traceId == other._traceId && _parentId == other._parentId
        && _version == other._version && _flags == other._flags;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is TraceParentHeader other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(_traceId, _parentId, _version, _flags);

    private static bool TryParseByte(ReadOnlySpan<char> s, out byte value)
    {
        var high = HexId.LowerHexValue(s[0]);
        var low = HexId.LowerHexValue(s[1]);
        if (high < 0 || low < 0)
        {
            value = 0;
            return false;
        }

        value = (byte)((high << 4) | low);
        return true;
    }
}
