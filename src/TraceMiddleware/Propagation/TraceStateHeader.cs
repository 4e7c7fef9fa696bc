using System.Buffers;
using Microsoft.Extensions.Primitives;

namespace TraceMiddleware.Propagation;

/// <summary>
/// The W3C Trace Context (Level 2) <c>tracestate</c> header: up to 32 comma-separated
/// <c>key=value</c> members, propagated unchanged.
/// </summary>
/// <remarks>
/// <para>
/// Keys follow the Level 2 grammar, <c>key = ( lcalpha / DIGIT ) 0*255 ( keychar )</c> with <c>@</c> among
/// the key characters; values are 1 to 256 printable ASCII characters other than <c>,</c> and <c>=</c>, not
/// ending in a space. A value is either valid as a whole or dropped as a whole: one member outside that
/// grammar, or more than <see cref="MaxMembers"/> members, make <c>TryParse</c> return
/// <see langword="false"/>, as the W3C conformance suite expects. Duplicate keys break no grammar rule
/// and are kept as they are. Empty and whitespace-only members are allowed and skipped, and count toward
/// no limit.
/// </para>
/// <para>
/// Validation never allocates. On success the header keeps its text normalized (members joined by
/// <c>,</c> without whitespace, empty members removed); building that string is the one allocation,
/// and <see cref="TryParse(string, out TraceStateHeader)"/> skips it when the text is already normalized.
/// </para>
/// </remarks>
internal readonly struct TraceStateHeader : IEquatable<TraceStateHeader>
{
    /// <summary>The header name: <c>tracestate</c>.</summary>
    public const string HeaderName = "tracestate";

    /// <summary>The most list members a valid value may have (32).</summary>
    public const int MaxMembers = 32;

    /// <summary>The longest key: a lowercase letter or digit, then up to 255 more key characters (256).</summary>
    public const int MaxKeyLength = 256;

    /// <summary>The longest value: up to 255 characters then one non-blank character (256).</summary>
    public const int MaxValueLength = 256;

    /// <summary>
    /// The longest <c>tracestate</c> this library passes on (512 characters, commas included): the least the
    /// specification asks a vendor to propagate. A longer one is cut by whole members, those over 128
    /// characters first, then from the right.
    /// </summary>
    public const int MaxPropagatedLength = 512;

    // Joined header lines up to this length are built on the stack; longer ones use a pooled buffer.
    private const int StackJoinLimit = 512;

    private static readonly SearchValues<char> s_keyChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789_-*/@");

    // chr = %x20 / %x21-2B / %x2D-3C / %x3E-7E: printable ASCII except "," and "=".
    private static readonly SearchValues<char> s_valueChars =
        SearchValues.Create(" !\"#$%&'()*+-./0123456789:;<>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    private readonly string? _value;
    private readonly int _memberCount;

    private TraceStateHeader(string value, int memberCount)
    {
        _value = value;
        _memberCount = memberCount;
    }

    /// <summary>
    /// The normalized header text, or <see langword="null"/> when there are no members.
    /// </summary>
    public string? Value => _value;

    /// <summary>How many list members the header has (empty members not counted).</summary>
    public int MemberCount => _memberCount;

    /// <summary>Whether the header has no members; an empty header is valid but should not be sent.</summary>
    public bool IsEmpty => _value is null;

    /// <summary>Whether two headers have the same normalized text.</summary>
    public static bool operator ==(TraceStateHeader left, TraceStateHeader right) => left.Equals(right);

    /// <summary>Whether two headers differ in their normalized text.</summary>
    public static bool operator !=(TraceStateHeader left, TraceStateHeader right) => !left.Equals(right);

    /// <summary>
    /// Validates a <c>tracestate</c> value and keeps it normalized (one string allocation on success
    /// when there are members); never throws.
    /// </summary>
    /// <param name="value">The header value.</param>
    /// <param name="header">The parsed header, or <c>default</c> (empty) when the value is rejected.</param>
    /// <returns><see langword="false"/> when the whole value must be dropped.</returns>
    public static bool TryParse(ReadOnlySpan<char> value, out TraceStateHeader header)
    {
        header = default;
        if (!Validate(value, out var memberCount, out var normalizedLength, out _))
        {
            return false;
        }

        if (memberCount > 0)
        {
            header = new TraceStateHeader(BuildNormalized(value, normalizedLength), memberCount);
        }

        return true;
    }

    /// <summary>
    /// Validates a <c>tracestate</c> value; keeps <paramref name="value"/> itself, without allocating,
    /// when it is already normalized. Never throws on bad text.
    /// </summary>
    /// <param name="value">The header value.</param>
    /// <param name="header">The parsed header, or <c>default</c> (empty) when the value is rejected.</param>
    /// <returns><see langword="false"/> when the whole value must be dropped.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is <see langword="null"/>.</exception>
    public static bool TryParse(string value, out TraceStateHeader header)
    {
        ArgumentNullException.ThrowIfNull(value);
        header = default;
        if (!Validate(value, out var memberCount, out var normalizedLength, out var isNormalized))
        {
            return false;
        }

        if (memberCount > 0)
        {
            header = new TraceStateHeader(isNormalized ? value : BuildNormalized(value, normalizedLength), memberCount);
        }

        return true;
    }

    /// <summary>
    /// Validates several <c>tracestate</c> header lines, combined as if joined by <c>,</c> (as the
    /// specification requires); <see langword="null"/> lines count as empty. Never throws on bad text.
    /// </summary>
    /// <param name="values">The header lines, in the order received.</param>
    /// <param name="header">The parsed header, or <c>default</c> (empty) when the value is rejected.</param>
    /// <returns><see langword="false"/> when the whole value must be dropped.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="values"/> is <see langword="null"/>.</exception>
    public static bool TryParse(IReadOnlyList<string> values, out TraceStateHeader header)
    {
        ArgumentNullException.ThrowIfNull(values);
        return TryParseLines(values, out header);
    }

    /// <summary>
    /// Validates the <c>tracestate</c> header lines of an ASP.NET Core request, combined as if joined by
    /// <c>,</c>; no lines is a valid empty header. Never throws on bad text.
    /// </summary>
    /// <param name="values">The header lines, in the order received.</param>
    /// <param name="header">The parsed header, or <c>default</c> (empty) when the value is rejected.</param>
    /// <returns><see langword="false"/> when the whole value must be dropped.</returns>
    public static bool TryParse(StringValues values, out TraceStateHeader header) => TryParseLines(values, out header);

    /// <summary>Writes the normalized text; nothing for an empty header.</summary>
    /// <param name="destination">The buffer.</param>
    /// <param name="charsWritten">How many characters were written.</param>
    /// <returns><see langword="false"/> when <paramref name="destination"/> is too small.</returns>
    public bool TryFormat(Span<char> destination, out int charsWritten)
    {
        var text = _value.AsSpan();
        if (!text.TryCopyTo(destination))
        {
            charsWritten = 0;
            return false;
        }

        charsWritten = text.Length;
        return true;
    }

    /// <summary>
    /// The text to pass on: <see cref="Value"/> when it fits in <see cref="MaxPropagatedLength"/>, else cut by
    /// whole members (see <see cref="TraceStateTruncation"/>); <see langword="null"/> when nothing is left.
    /// </summary>
    internal string? PropagatedValue => _value is null ? null : TraceStateTruncation.Truncate(_value, MaxPropagatedLength);

    /// <summary>The normalized text, or the empty string for an empty header.</summary>
    public override string ToString() => _value ?? string.Empty;

    /// <inheritdoc />
    public bool Equals(TraceStateHeader other) => string.Equals(_value, other._value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is TraceStateHeader other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => _value is null ? 0 : string.GetHashCode(_value, StringComparison.Ordinal);

    private static bool TryParseLines<TList>(TList values, out TraceStateHeader header)
        where TList : IReadOnlyList<string?>
    {
        var count = values.Count;
        if (count == 0)
        {
            header = default;
            return true;
        }

        if (count == 1)
        {
            return TryParse(values[0] ?? string.Empty, out header);
        }

        var length = count - 1;
        for (var i = 0; i < count; i++)
        {
            length += values[i]?.Length ?? 0;
        }

        char[]? rented = null;
        Span<char> buffer = length <= StackJoinLimit
            ? stackalloc char[StackJoinLimit]
            : (rented = ArrayPool<char>.Shared.Rent(length));
        try
        {
            var pos = 0;
            for (var i = 0; i < count; i++)
            {
                if (i > 0)
                {
                    buffer[pos++] = ',';
                }

                var line = values[i].AsSpan();
                line.CopyTo(buffer[pos..]);
                pos += line.Length;
            }

            return TryParse(buffer[..length], out header);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    private static bool Validate(ReadOnlySpan<char> s, out int memberCount, out int normalizedLength, out bool isNormalized)
    {
        memberCount = 0;
        normalizedLength = 0;
        isNormalized = true;

        var start = 0;
        while (true)
        {
            var comma = s[start..].IndexOf(',');
            var end = comma < 0 ? s.Length : start + comma;
            var memberStart = start;
            var memberEnd = end;
            while (memberStart < memberEnd && OptionalWhitespace.IsOws(s[memberStart]))
            {
                memberStart++;
            }

            while (memberEnd > memberStart && OptionalWhitespace.IsOws(s[memberEnd - 1]))
            {
                memberEnd--;
            }

            if (memberStart == memberEnd)
            {
                isNormalized = false;
            }
            else
            {
                if (memberStart != start || memberEnd != end)
                {
                    isNormalized = false;
                }

                if (memberCount == MaxMembers || !IsValidMember(s[memberStart..memberEnd]))
                {
                    return false;
                }

                normalizedLength += (memberCount > 0 ? 1 : 0) + (memberEnd - memberStart);
                memberCount++;
            }

            if (comma < 0)
            {
                return true;
            }

            start = end + 1;
        }
    }

    private static bool IsValidMember(ReadOnlySpan<char> member)
    {
        var keyLength = member.IndexOf('=');
        return keyLength > 0
            && IsValidKey(member[..keyLength])
            && IsValidValue(member[(keyLength + 1)..]);
    }

    // Level 2 has no tenant@system form: "@" is a key character like "/", anywhere but first.
    private static bool IsValidKey(ReadOnlySpan<char> key) =>
        key.Length <= MaxKeyLength
        && (char.IsAsciiLetterLower(key[0]) || char.IsAsciiDigit(key[0]))
        && !key[1..].ContainsAnyExcept(s_keyChars);

    private static bool IsValidValue(ReadOnlySpan<char> value) =>
        value.Length is > 0 and <= MaxValueLength
        && value[^1] != ' '
        && !value.ContainsAnyExcept(s_valueChars);

    private static string BuildNormalized(ReadOnlySpan<char> s, int length) =>
        string.Create(length, s, static (destination, source) =>
        {
            var pos = 0;
            foreach (var range in source.Split(','))
            {
                var member = OptionalWhitespace.Trim(source[range]);
                if (member.IsEmpty)
                {
                    continue;
                }

                if (pos > 0)
                {
                    destination[pos++] = ',';
                }

                member.CopyTo(destination[pos..]);
                pos += member.Length;
            }
        });
}
