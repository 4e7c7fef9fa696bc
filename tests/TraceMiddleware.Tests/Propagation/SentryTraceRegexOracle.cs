using System.Text.RegularExpressions;

namespace TraceMiddleware.Tests.Propagation;

/// <summary>
/// What Sentry's JavaScript SDKs make of a <c>sentry-trace</c> value, using their own regular expression,
/// plus our rejection of absent and all-zero ids: the reference the hand-written parser must agree with.
/// </summary>
internal static class SentryTraceRegexOracle
{
    // TRACEPARENT_REGEXP from @sentry/core, with \z for $: .NET's $ also matches before a final "\n",
    // JavaScript's (without the m flag) does not.
    private static readonly Regex s_js = new(
        @"^[ \t]*([0-9a-f]{32})?-?([0-9a-f]{16})?-?([01])?[ \t]*\z",
        RegexOptions.CultureInvariant);

    public static bool TryParse(string value, out string? traceId, out string? spanId, out bool? sampled)
    {
        traceId = null;
        spanId = null;
        sampled = null;
        var match = s_js.Match(value);
        if (!match.Success || !match.Groups[1].Success)
        {
            return false;
        }

        traceId = match.Groups[1].Value;
        spanId = match.Groups[2].Success ? match.Groups[2].Value : null;
        sampled = match.Groups[3].Success ? match.Groups[3].Value == "1" : null;
        return traceId != new string('0', 32) && spanId != new string('0', 16);
    }
}
