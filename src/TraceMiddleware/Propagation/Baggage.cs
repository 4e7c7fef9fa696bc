using System.Buffers;
using System.Collections;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Primitives;

namespace TraceMiddleware.Propagation;

/// <summary>
/// An ordered, immutable list of W3C <c>baggage</c> members, parsed and serialised the way Sentry's JS
/// SDKs do it.
/// </summary>
/// <remarks>
/// Keys are unique: when a header repeats a key, the <b>last</b> value wins and keeps the position of the
/// first occurrence. That is what JS produces, since it parses baggage into a plain object
/// (<c>acc[key] = value</c>), and it keeps a Sentry peer and this library agreeing on the DSC.
/// </remarks>
internal sealed class Baggage : IReadOnlyList<BaggageMember>
{
    /// <summary>The W3C limit on members in one serialised header.</summary>
    public const int MaxMembers = 180;

    /// <summary>The W3C limit on the size of one serialised header, in bytes (chars: the header is ASCII).</summary>
    public const int MaxBytes = 8192;

    /// <summary>The header name: <c>baggage</c>.</summary>
    public const string HeaderName = "baggage";


    // Header values are short; decode on the stack below this and rent above it.
    private const int StackDecodeLimit = 256;

    private readonly BaggageMember[] _members;
    private string? _formatted;

    /// <summary>Creates a baggage from members, in order.</summary>
    /// <param name="members">The decoded members.</param>
    /// <remarks>
    /// The same rules as parsing apply, so that whatever is built here also survives a round trip through
    /// a header: a member with an empty key or value, or with a lone UTF-16 surrogate (which cannot be
    /// percent-encoded), is left out; a repeated key keeps the last value at the first position.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="members"/> is null.</exception>
    public Baggage(IEnumerable<BaggageMember> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        var list = new List<BaggageMember>();
        foreach (var member in members)
        {
            if (string.IsNullOrEmpty(member.Key) || string.IsNullOrEmpty(member.Value)
                || PercentEncoding.GetEncodedLength(member.Key) < 0
                || PercentEncoding.GetEncodedLength(member.Value) < 0)
            {
                continue;
            }

            AddOrReplace(list, member);
        }

        _members = list.ToArray();
    }

    private Baggage(BaggageMember[] members) => _members = members;

    /// <summary>A baggage with no members.</summary>
    public static Baggage Empty { get; } = new([]);

    /// <summary>The number of members.</summary>
    public int Count => _members.Length;

    /// <summary>The member at <paramref name="index"/>.</summary>
    /// <param name="index">A zero-based position.</param>
    public BaggageMember this[int index] => _members[index];

    /// <summary>The decoded value of the member with the decoded key <paramref name="key"/> (ordinal), or null.</summary>
    /// <param name="key">The decoded key, for example <c>sentry-release</c>.</param>
    public string? this[string key] => TryGetValue(key, out var value) ? value : null;

    /// <summary>
    /// Parses one <c>baggage</c> header value. Invalid members are skipped; at most
    /// <see cref="MaxMembers"/> valid members are read. Never throws on bad text.
    /// </summary>
    /// <param name="value">The header value.</param>
    /// <returns>The members, or <see cref="Empty"/>.</returns>
    public static Baggage Parse(ReadOnlySpan<char> value)
    {
        var members = default(BaggageMemberCollector);
        var remaining = MaxMembers;
        Collect(value, ref members, ref remaining);
        return members.Count == 0 ? Empty : new Baggage(members.ToArray());
    }

    /// <summary>
    /// Parses several <c>baggage</c> header values as if they were joined by <c>,</c> in order; the member
    /// limit counts across all of them. Never throws on bad text.
    /// </summary>
    /// <param name="values">The header values (null entries are ignored).</param>
    /// <returns>The members, or <see cref="Empty"/>.</returns>
    public static Baggage Parse(StringValues values)
    {
        var members = default(BaggageMemberCollector);
        var remaining = MaxMembers;
        for (var i = 0; i < values.Count && remaining > 0; i++)
        {
            Collect(values[i], ref members, ref remaining);
        }

        return members.Count == 0 ? Empty : new Baggage(members.ToArray());
    }

    /// <summary>Parses one <c>baggage</c> header value, like <see cref="Parse(ReadOnlySpan{char})"/>.</summary>
    /// <param name="value">The header value.</param>
    /// <param name="baggage">The members, or <see cref="Empty"/>.</param>
    /// <returns><see langword="false"/> when the value holds no valid member.</returns>
    public static bool TryParse(ReadOnlySpan<char> value, out Baggage baggage)
    {
        baggage = Parse(value);
        return baggage.Count > 0;
    }

    /// <summary>Looks up a member by its decoded key (ordinal).</summary>
    /// <param name="key">The decoded key.</param>
    /// <param name="value">The decoded value when found.</param>
    /// <returns>Whether a member has that key.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    public bool TryGetValue(string key, [NotNullWhen(true)] out string? value)
    {
        ArgumentNullException.ThrowIfNull(key);
        for (var i = 0; i < _members.Length; i++)
        {
            if (string.Equals(_members[i].Key, key, StringComparison.Ordinal))
            {
                value = _members[i].Value;
                return true;
            }
        }

        value = null;
        return false;
    }

    /// <summary>The members whose key starts with <c>sentry-</c> (the Dynamic Sampling Context), in order.</summary>
    public Baggage SentryMembers() => Filter(sentry: true);

    /// <summary>The members whose key does not start with <c>sentry-</c>, in order.</summary>
    public Baggage ThirdPartyMembers() => Filter(sentry: false);

    /// <summary>
    /// The length <see cref="TryFormat"/> writes: the members that fit within <see cref="MaxBytes"/> and
    /// <see cref="MaxMembers"/>.
    /// </summary>
    public int GetFormattedLength()
    {
        var length = 0;
        var count = 0;
        for (var i = 0; i < _members.Length && count < MaxMembers; i++)
        {
            var next = NextLength(length, count, _members[i]);
            if (next <= MaxBytes)
            {
                length = next;
                count++;
            }
        }

        return length;
    }

    /// <summary>
    /// Writes the header value: <c>encodeURIComponent(key)=encodeURIComponent(value)</c> joined by
    /// <c>,</c>, in order. A member that would push the header past <see cref="MaxBytes"/> is skipped and
    /// later, shorter ones are still tried (as JS does); at most <see cref="MaxMembers"/> are written.
    /// </summary>
    /// <param name="destination">The buffer; <see cref="GetFormattedLength"/> chars suffice.</param>
    /// <param name="charsWritten">The chars written, 0 on failure.</param>
    /// <returns><see langword="false"/> when <paramref name="destination"/> is too small.</returns>
    public bool TryFormat(Span<char> destination, out int charsWritten)
    {
        charsWritten = 0;
        var length = 0;
        var count = 0;
        for (var i = 0; i < _members.Length && count < MaxMembers; i++)
        {
            var member = _members[i];
            var at = count == 0 ? 0 : length + 1;

            // Encode straight into place, one pass per key and value. Only a member that does not fit needs
            // its exact length: to tell one past MaxBytes (skipped) from a destination that is too small.
            if (at < destination.Length && TryEncodeMember(member, destination[at..], out var entry))
            {
                if (at + entry > MaxBytes)
                {
                    continue;
                }

                if (count > 0)
                {
                    destination[length] = ',';
                }

                length = at + entry;
                count++;
                continue;
            }

            if (NextLength(length, count, member) > MaxBytes)
            {
                continue;
            }

            return false;
        }

        charsWritten = length;
        return true;
    }

    /// <summary>The header value written by <see cref="TryFormat"/>; empty when there are no members.</summary>
    public override string ToString()
    {
        return _formatted ??= Format(this);

        static string Format(Baggage baggage)
        {
            if (baggage._members.Length == 0)
            {
                return string.Empty;
            }

            // MaxBytes chars always hold the header; formatting once and copying beats measuring first.
            var buffer = ArrayPool<char>.Shared.Rent(MaxBytes);
            try
            {
                baggage.TryFormat(buffer, out var written);
                return written == 0 ? string.Empty : new string(buffer, 0, written);
            }
            finally
            {
                ArrayPool<char>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>Enumerates the members in order.</summary>
    public IEnumerator<BaggageMember> GetEnumerator() => ((IEnumerable<BaggageMember>)_members).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>
    /// The <c>baggage</c> value for an outgoing request, merged with one the app already set on it:
    /// the app's non-<c>sentry-</c> members first, in its order and with its raw text kept when that text
    /// is valid W3C baggage; then, when <paramref name="dsc"/> has entries, its <c>sentry-</c> members,
    /// which replace any the app set (with no DSC the app's own <c>sentry-</c> members stay); then the
    /// <paramref name="thirdParty"/> members whose key the app did not set. Members the app set invalidly
    /// are dropped. Within <see cref="MaxBytes"/> and <see cref="MaxMembers"/>, skipping what does not fit.
    /// </summary>
    /// <returns>The header value, or null when there is nothing to send.</returns>
    internal static string? BuildOutgoing(string? appBaggage, DynamicSamplingContext? dsc, Baggage? thirdParty)
    {
        var addSentry = dsc is { IsEmpty: false };
        if (string.IsNullOrEmpty(appBaggage) && !addSentry && (thirdParty is null || thirdParty.Count == 0))
        {
            return null;
        }

        var buffer = ArrayPool<char>.Shared.Rent(MaxBytes);
        try
        {
            var length = 0;
            var count = 0;
            List<string>? appKeys = null;

            if (!string.IsNullOrEmpty(appBaggage))
            {
                var reader = new BaggageReader(appBaggage);
                while (reader.MoveNext())
                {
                    var key = Decode(reader.RawKey);
                    if (addSentry && key.StartsWith(SentryBaggageKeys.Prefix, StringComparison.Ordinal))
                    {
                        continue;
                    }

                    (appKeys ??= []).Add(key);
                    if (IsToken(reader.RawKey) && IsValidRawValue(reader.RawValue))
                    {
                        Append(buffer, ref length, ref count, default, reader.RawKey, reader.RawValue, encode: false);
                    }
                    else
                    {
                        Append(buffer, ref length, ref count, default, key, Decode(reader.RawValue), encode: true);
                    }
                }
            }

            if (addSentry)
            {
                var entries = dsc!.Entries;
                for (var i = 0; i < entries.Count; i++)
                {
                    Append(buffer, ref length, ref count, SentryBaggageKeys.Prefix, entries[i].Key, entries[i].Value, encode: true);
                }
            }

            if (thirdParty is not null)
            {
                for (var i = 0; i < thirdParty._members.Length; i++)
                {
                    var member = thirdParty._members[i];
                    if (member.IsSentry || (appKeys is not null && appKeys.Contains(member.Key)))
                    {
                        continue;
                    }

                    Append(buffer, ref length, ref count, default, member.Key, member.Value, encode: true);
                }
            }

            return length == 0 ? null : new string(buffer, 0, length);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    private static void Collect(ReadOnlySpan<char> header, ref BaggageMemberCollector members, ref int remaining)
    {
        var reader = new BaggageReader(header, remaining);
        while (reader.MoveNext())
        {
            members.AddOrReplace(reader.IsPlain
                ? new BaggageMember(SentryBaggageKeys.ToKeyString(reader.RawKey), SentryBaggageKeys.ToValueString(reader.RawValue))
                : new BaggageMember(Decode(reader.RawKey), Decode(reader.RawValue)));
        }

        remaining -= reader.Count;
    }

    private static void AddOrReplace(List<BaggageMember> list, BaggageMember member)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (string.Equals(list[i].Key, member.Key, StringComparison.Ordinal))
            {
                list[i] = member;
                return;
            }
        }

        list.Add(member);
    }

    // Only called on text BaggageReader has validated, so decoding cannot fail.
    internal static string Decode(ReadOnlySpan<char> raw)
    {
        if (!PercentEncoding.NeedsDecoding(raw))
        {
            return raw.ToString();
        }

        char[]? rented = null;
        var buffer = raw.Length <= StackDecodeLimit
            ? stackalloc char[StackDecodeLimit]
            : (rented = ArrayPool<char>.Shared.Rent(raw.Length));
        try
        {
            PercentEncoding.TryDecode(raw, buffer, out var written);
            return buffer[..written].ToString();
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    private static bool TryEncodeMember(BaggageMember member, Span<char> destination, out int written)
    {
        written = 0;
        if (!PercentEncoding.TryEncode(member.Key, destination, out var keyLength) || keyLength >= destination.Length)
        {
            return false;
        }

        destination[keyLength] = '=';
        if (!PercentEncoding.TryEncode(member.Value, destination[(keyLength + 1)..], out var valueLength))
        {
            return false;
        }

        written = keyLength + 1 + valueLength;
        return true;
    }

    private static int NextLength(int length, int count, BaggageMember member)
    {
        var entry = PercentEncoding.GetEncodedLength(member.Key) + 1 + PercentEncoding.GetEncodedLength(member.Value);
        return count == 0 ? entry : length + 1 + entry;
    }

    // Raw app text is kept only when it cannot smuggle anything into the header: no control characters
    // (CR/LF above all) and nothing outside ASCII.
    /// <summary>
    /// Whether the app's raw key is a W3C token (RFC 9110 tchar), so it can be sent as it is.
    /// </summary>
    private static bool IsToken(ReadOnlySpan<char> s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (!(char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~'))
            {
                return false;
            }
        }

        return s.Length > 0;
    }

    /// <summary>
    /// Whether the app's raw value is valid W3C text, <c>value *( OWS ";" OWS key [ OWS "=" OWS value ] )</c>
    /// with baggage octets only, so it can be sent as it is. Anything else (a space inside a value, quotes,
    /// backslashes, control or non-ASCII characters) is decoded and percent-encoded again.
    /// </summary>
    private static bool IsValidRawValue(ReadOnlySpan<char> s)
    {
        var semicolon = s.IndexOf(';');
        if (!IsBaggageOctets(semicolon < 0 ? s : s[..semicolon].TrimEnd(" \t")))
        {
            return false;
        }

        while (semicolon >= 0)
        {
            s = s[(semicolon + 1)..];
            semicolon = s.IndexOf(';');
            var property = (semicolon < 0 ? s : s[..semicolon]).Trim(" \t");
            var equals = property.IndexOf('=');
            if (equals < 0 ? !IsToken(property) : !IsToken(property[..equals].TrimEnd(" \t")) || !IsBaggageOctets(property[(equals + 1)..].TrimStart(" \t")))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsBaggageOctets(ReadOnlySpan<char> s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] is <= ' ' or > '~' or '"' or ',' or ';' or '\\')
            {
                return false;
            }
        }

        return s.Length > 0;
    }

    private static void Append(
        Span<char> buffer,
        ref int length,
        ref int count,
        ReadOnlySpan<char> keyPrefix,
        ReadOnlySpan<char> key,
        ReadOnlySpan<char> value,
        bool encode)
    {
        if (count >= MaxMembers)
        {
            return;
        }

        // keyPrefix is only ever "sentry-", which encodes to itself.
        var keyLength = encode ? PercentEncoding.GetEncodedLength(key) : key.Length;
        var valueLength = encode ? PercentEncoding.GetEncodedLength(value) : value.Length;
        if (keyLength < 0 || valueLength < 0 || keyPrefix.Length + keyLength == 0 || valueLength == 0)
        {
            return;
        }

        var start = count == 0 ? 0 : length + 1;
        var next = start + keyPrefix.Length + keyLength + 1 + valueLength;
        if (next > MaxBytes)
        {
            return;
        }

        if (count > 0)
        {
            buffer[length] = ',';
        }

        var at = start;
        keyPrefix.CopyTo(buffer[at..]);
        at += keyPrefix.Length;
        if (encode)
        {
            PercentEncoding.TryEncode(key, buffer[at..], out _);
        }
        else
        {
            key.CopyTo(buffer[at..]);
        }

        at += keyLength;
        buffer[at++] = '=';
        if (encode)
        {
            PercentEncoding.TryEncode(value, buffer[at..], out _);
        }
        else
        {
            value.CopyTo(buffer[at..]);
        }

        length = next;
        count++;
    }

    private Baggage Filter(bool sentry)
    {
        var list = new List<BaggageMember>(_members.Length);
        for (var i = 0; i < _members.Length; i++)
        {
            if (_members[i].IsSentry == sentry)
            {
                list.Add(_members[i]);
            }
        }

        return list.Count == _members.Length ? this : list.Count == 0 ? Empty : new Baggage(list.ToArray());
    }
}
