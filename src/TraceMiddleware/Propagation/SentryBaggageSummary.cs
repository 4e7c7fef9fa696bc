using System.Buffers;
using Microsoft.Extensions.Primitives;

namespace TraceMiddleware.Propagation;

/// <summary>
/// What a request needs from its incoming <c>baggage</c> before anything is sent on: whether it has Sentry and
/// third-party members, and the three DSC fields that decide continuation and sampling. Read without
/// materialising the members, by the same rules as <see cref="Baggage.Parse(StringValues)"/> (the member limit
/// across values, the last value of a repeated key wins), so it always agrees with the parsed baggage.
/// </summary>
internal readonly struct SentryBaggageSummary
{
    private const string SampleRandKey = SentryBaggageKeys.Prefix + "sample_rand";
    private const string SampleRateKey = SentryBaggageKeys.Prefix + "sample_rate";
    private const string OrgIdKey = SentryBaggageKeys.Prefix + "org_id";

    // Keys are short; decode on the stack below this and rent above it.
    private const int StackDecodeLimit = 256;

    /// <summary>Whether a member's decoded key starts with <c>sentry-</c>: the DSC is not empty.</summary>
    public bool HasSentryMembers { get; init; }

    /// <summary>Whether a member's decoded key does not start with <c>sentry-</c>.</summary>
    public bool HasThirdPartyMembers { get; init; }

    /// <summary>
    /// The decoded <c>sentry-sample_rand</c>, as the DSC holds it, when it is a number in [0, 1) (see
    /// <see cref="Sampling.SampleRand.TryParse"/>); <see langword="null"/> when absent or not such a number.
    /// </summary>
    public string? SampleRand { get; init; }

    /// <summary>
    /// Whether there is a <c>sentry-sample_rand</c> that is not a number in [0, 1) (<c>NaN</c>, <c>1</c>,
    /// <c>0x1</c>): it is never passed on; the DSC carries the value this service decided with instead.
    /// </summary>
    public bool HasInvalidSampleRand { get; init; }

    /// <summary>The decoded <c>sentry-sample_rate</c>; <see langword="null"/> when absent.</summary>
    public string? SampleRate { get; init; }

    /// <summary>The decoded <c>sentry-org_id</c>; <see langword="null"/> when absent.</summary>
    public string? OrgId { get; init; }

    public static SentryBaggageSummary Read(StringValues values)
    {
        var hasSentry = false;
        var hasThirdParty = false;
        string? sampleRand = null;
        string? sampleRate = null;
        string? orgId = null;
        var remaining = Baggage.MaxMembers;
        Span<char> stack = stackalloc char[StackDecodeLimit];
        for (var i = 0; i < values.Count && remaining > 0; i++)
        {
            var reader = new BaggageReader(values[i], remaining);
            while (reader.MoveNext())
            {
                var rawKey = reader.RawKey;
                if (reader.IsPlain || !PercentEncoding.NeedsDecoding(rawKey))
                {
                    Classify(rawKey, reader.RawValue, ref hasSentry, ref hasThirdParty, ref sampleRand, ref sampleRate, ref orgId);
                    continue;
                }

                char[]? rented = null;
                var buffer = rawKey.Length <= StackDecodeLimit
                    ? stack
                    : (rented = ArrayPool<char>.Shared.Rent(rawKey.Length));
                try
                {
                    // BaggageReader has validated the key, so decoding cannot fail.
                    PercentEncoding.TryDecode(rawKey, buffer, out var written);
                    Classify(buffer[..written], reader.RawValue, ref hasSentry, ref hasThirdParty, ref sampleRand, ref sampleRate, ref orgId);
                }
                finally
                {
                    if (rented is not null)
                    {
                        ArrayPool<char>.Shared.Return(rented);
                    }
                }
            }

            remaining -= reader.Count;
        }

        var validSampleRand = sampleRand is not null && Sampling.SampleRand.TryParse(sampleRand, out _);
        return new SentryBaggageSummary
        {
            HasSentryMembers = hasSentry,
            HasThirdPartyMembers = hasThirdParty,
            SampleRand = validSampleRand ? sampleRand : null,
            HasInvalidSampleRand = sampleRand is not null && !validSampleRand,
            SampleRate = sampleRate,
            OrgId = orgId,
        };
    }

    private static void Classify(
        ReadOnlySpan<char> key,
        ReadOnlySpan<char> rawValue,
        ref bool hasSentry,
        ref bool hasThirdParty,
        ref string? sampleRand,
        ref string? sampleRate,
        ref string? orgId)
    {
        if (!key.StartsWith(SentryBaggageKeys.Prefix, StringComparison.Ordinal))
        {
            hasThirdParty = true;
            return;
        }

        hasSentry = true;
        if (key.SequenceEqual(SampleRandKey))
        {
            sampleRand = Baggage.Decode(rawValue);
        }
        else if (key.SequenceEqual(SampleRateKey))
        {
            sampleRate = Baggage.Decode(rawValue);
        }
        else if (key.SequenceEqual(OrgIdKey))
        {
            orgId = Baggage.Decode(rawValue);
        }
    }
}
