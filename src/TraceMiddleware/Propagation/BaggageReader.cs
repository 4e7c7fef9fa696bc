namespace TraceMiddleware.Propagation;

/// <summary>
/// An allocation-free reader over one <c>baggage</c> header value that yields its valid members in order.
/// </summary>
/// <remarks>
/// <para>
/// The rules are those of Sentry's JS SDKs: members are separated by <c>,</c>; a member is split on its
/// first <c>=</c>; key and value are trimmed of optional whitespace (spaces and tabs); a member without
/// <c>=</c>, with an empty key or value, or whose key or value is not valid percent-encoded UTF-8 is
/// skipped. Reading stops after <see cref="Baggage.MaxMembers"/> valid members. Bad text never throws.
/// </para>
/// <para>
/// Duplicate keys are all yielded; <see cref="Baggage.Parse(ReadOnlySpan{char})"/> resolves them.
/// </para>
/// <code>
/// var reader = new BaggageReader(header);
/// Span&lt;char&gt; buffer = stackalloc char[256];
/// while (reader.MoveNext())
/// {
///     if (reader.RawValue.Length &lt;= buffer.Length &amp;&amp; reader.TryDecodeValue(buffer, out var n)) { /* buffer[..n] */ }
/// }
/// </code>
/// </remarks>
internal ref struct BaggageReader
{
    private readonly ReadOnlySpan<char> _header;
    private readonly int _maxMembers;

    // One search over the whole header for surrogates; a member with neither a surrogate nor an escape (nearly
    // every one) is valid as it stands and needs no check of its own.
    private readonly bool _hasSurrogates;

    private int _position;
    private int _count;

    /// <summary>Creates a reader over one header value; call <see cref="MoveNext"/> to reach the first member.</summary>
    /// <param name="header">The header value, for example <c>sentry-environment=dev,sentry-release=shop%401.2.3</c>.</param>
    public BaggageReader(ReadOnlySpan<char> header)
        : this(header, Baggage.MaxMembers)
    {
    }

    // Lets a caller that merges several header values keep one member budget across all of them.
    internal BaggageReader(ReadOnlySpan<char> header, int maxMembers)
    {
        _header = header;
        _maxMembers = maxMembers;
        _hasSurrogates = PercentEncoding.ContainsSurrogate(header);
        _position = 0;
        _count = 0;
        RawKey = default;
        RawValue = default;
        IsPlain = false;
    }

    /// <summary>The current member's key: trimmed, still percent-encoded.</summary>
    public ReadOnlySpan<char> RawKey { get; private set; }

    /// <summary>The current member's value (with any <c>;properties</c>): trimmed, still percent-encoded.</summary>
    public ReadOnlySpan<char> RawValue { get; private set; }

    /// <summary>Whether the current member has no escape and no surrogate, so its raw text is its decoded text.</summary>
    internal bool IsPlain { get; private set; }

    /// <summary>How many valid members this reader has yielded so far.</summary>
    public readonly int Count => _count;

    /// <summary>Advances to the next valid member, skipping invalid ones.</summary>
    /// <returns><see langword="false"/> at the end of the header or once the member limit is reached.</returns>
    public bool MoveNext()
    {
        while (_count < _maxMembers && _position <= _header.Length)
        {
            var rest = _header[_position..];
            var comma = rest.IndexOf(',');
            var member = comma < 0 ? rest : rest[..comma];
            _position += member.Length + 1;
            var equals = member.IndexOf('=');
            if (equals < 0)
            {
                continue;
            }

            var key = TrimOws(member[..equals]);
            var value = TrimOws(member[(equals + 1)..]);
            if (key.IsEmpty || value.IsEmpty)
            {
                continue;
            }

            var plain = !_hasSurrogates && !member.Contains('%');
            if (!plain && (!PercentEncoding.TryGetDecodedLength(key, out _) || !PercentEncoding.TryGetDecodedLength(value, out _)))
            {
                continue;
            }

            IsPlain = plain;
            RawKey = key;
            RawValue = value;
            _count++;
            return true;
        }

        RawKey = default;
        RawValue = default;
        IsPlain = false;
        return false;
    }

    /// <summary>Percent-decodes the current key into <paramref name="destination"/>.</summary>
    /// <param name="destination">At least <c>RawKey.Length</c> chars always suffices.</param>
    /// <param name="charsWritten">The decoded length.</param>
    /// <returns><see langword="false"/> only when <paramref name="destination"/> is too small.</returns>
    public readonly bool TryDecodeKey(Span<char> destination, out int charsWritten) =>
        IsPlain ? TryCopy(RawKey, destination, out charsWritten) : PercentEncoding.TryDecode(RawKey, destination, out charsWritten);

    /// <summary>Percent-decodes the current value into <paramref name="destination"/>.</summary>
    /// <param name="destination">At least <c>RawValue.Length</c> chars always suffices.</param>
    /// <param name="charsWritten">The decoded length.</param>
    /// <returns><see langword="false"/> only when <paramref name="destination"/> is too small.</returns>
    public readonly bool TryDecodeValue(Span<char> destination, out int charsWritten) =>
        IsPlain ? TryCopy(RawValue, destination, out charsWritten) : PercentEncoding.TryDecode(RawValue, destination, out charsWritten);

    private static bool TryCopy(ReadOnlySpan<char> raw, Span<char> destination, out int charsWritten)
    {
        var copied = raw.TryCopyTo(destination);
        charsWritten = copied ? raw.Length : 0;
        return copied;
    }

    // W3C OWS is spaces and tabs only. JS's String.trim also strips CR, LF and Unicode spaces, but those
    // cannot reach us raw through an HTTP header anyway.
    private static ReadOnlySpan<char> TrimOws(ReadOnlySpan<char> s) => OptionalWhitespace.Trim(s);
}
