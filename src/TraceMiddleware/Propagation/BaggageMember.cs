namespace TraceMiddleware.Propagation;

/// <summary>One member of a W3C <c>baggage</c> header, with its key and value percent-decoded.</summary>
/// <remarks>
/// As in Sentry's JS SDKs, <c>;properties</c> after the value are not split off: <c>k=v;p=1</c> is the
/// member <c>k</c> with the value <c>v;p=1</c>.
/// </remarks>
internal readonly struct BaggageMember : IEquatable<BaggageMember>
{
    /// <summary>Creates a member from a decoded key and value.</summary>
    /// <param name="key">The decoded key, for example <c>sentry-release</c>.</param>
    /// <param name="value">The decoded value, for example <c>shop@1.2.3</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> or <paramref name="value"/> is null.</exception>
    public BaggageMember(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        Key = key;
        Value = value;
    }

    /// <summary>The decoded key.</summary>
    public string Key { get; }

    /// <summary>The decoded value, including any <c>;properties</c>.</summary>
    public string Value { get; }

    /// <summary>Whether the member belongs to Sentry's Dynamic Sampling Context (its key starts with <c>sentry-</c>, case-sensitive).</summary>
    public bool IsSentry => Key is not null && Key.StartsWith(SentryBaggageKeys.Prefix, StringComparison.Ordinal);

    /// <summary>Whether two members are equal (ordinal key and value).</summary>
    public static bool operator ==(BaggageMember left, BaggageMember right) => left.Equals(right);

    /// <summary>Whether two members differ (ordinal key or value).</summary>
    public static bool operator !=(BaggageMember left, BaggageMember right) => !left.Equals(right);

    /// <inheritdoc />
    public bool Equals(BaggageMember other) =>
        string.Equals(Key, other.Key, StringComparison.Ordinal) && string.Equals(Value, other.Value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is BaggageMember other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(
        Key is null ? 0 : StringComparer.Ordinal.GetHashCode(Key),
        Value is null ? 0 : StringComparer.Ordinal.GetHashCode(Value));

    /// <summary>The member as <c>key=value</c>, decoded (for diagnostics; not header text).</summary>
    public override string ToString() => $"{Key}={Value}";
}
