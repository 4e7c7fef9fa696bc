namespace TraceMiddleware.Propagation;

/// <summary>
/// The Dynamic Sampling Context keys Sentry's SDKs write, as shared strings: parsing a header returns these
/// instead of allocating the same few keys again for every request, and the DSC gets their names without the
/// <c>sentry-</c> prefix without cutting a new string.
/// </summary>
internal static class SentryBaggageKeys
{
    /// <summary>The prefix of baggage members that belong to Sentry (case-sensitive): the DSC's keys carry it on the wire.</summary>
    public const string Prefix = "sentry-";

    /// <summary>The shared string equal to <paramref name="key"/> when it is a known key; otherwise a new one.</summary>
    public static string ToKeyString(ReadOnlySpan<char> key)
    {
        if (key.Length < Prefix.Length + 6 || !key.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return key.ToString();
        }

        return key[Prefix.Length..] switch
        {
            "environment" => "sentry-environment",
            "release" => "sentry-release",
            "public_key" => "sentry-public_key",
            "trace_id" => "sentry-trace_id",
            "transaction" => "sentry-transaction",
            "sampled" => "sentry-sampled",
            "sample_rand" => "sentry-sample_rand",
            "sample_rate" => "sentry-sample_rate",
            "org_id" => "sentry-org_id",
            "replay_id" => "sentry-replay_id",
            _ => key.ToString(),
        };
    }

    /// <summary>A Sentry member's key without the <c>sentry-</c> prefix, shared when it is a known key.</summary>
    public static string WithoutPrefix(string sentryKey) => sentryKey switch
    {
        "sentry-environment" => "environment",
        "sentry-release" => "release",
        "sentry-public_key" => "public_key",
        "sentry-trace_id" => "trace_id",
        "sentry-transaction" => "transaction",
        "sentry-sampled" => "sampled",
        "sentry-sample_rand" => "sample_rand",
        "sentry-sample_rate" => "sample_rate",
        "sentry-org_id" => "org_id",
        "sentry-replay_id" => "replay_id",
        _ => sentryKey[Prefix.Length..],
    };

    /// <summary>The shared string for the values <c>true</c> and <c>false</c>; otherwise a new one.</summary>
    public static string ToValueString(ReadOnlySpan<char> value) => value switch
    {
        "true" => "true",
        "false" => "false",
        _ => value.ToString(),
    };
}
