using System.Globalization;

namespace TraceMiddleware.Export.Sentry;

/// <summary>
/// Reads how long a Sentry response tells us to stop sending transactions (PROTOCOL.md §8):
/// <c>X-Sentry-Rate-Limits</c> wins, else <c>Retry-After</c>, else a 429 means <see cref="DefaultRetryAfterSeconds"/>
/// for everything. Pure; never throws on header text.
/// </summary>
internal static class SentryRateLimits
{
    /// <summary>The delay of a 429 without headers, and of a rate-limit entry whose delay is not a number.</summary>
    public const int DefaultRetryAfterSeconds = 60;

    /// <summary>The longest delay honoured; a longer (or absurd) one is cut to this, so a bad header cannot silence export for good.</summary>
    public const int MaxRetryAfterSeconds = 86_400;

    /// <summary>The category of transaction envelopes; an entry with no categories applies to every category.</summary>
    public const string TransactionCategory = "transaction";

    private static readonly string[] HttpDateFormats =
    [
        "r",
        "ddd, d MMM yyyy H:m:s 'GMT'",
        "dddd, dd'-'MMM'-'yy HH':'mm':'ss 'GMT'",
        "ddd MMM d HH':'mm':'ss yyyy",
    ];

    /// <summary>
    /// The delay for transactions a response asks for, by PROTOCOL.md §8's precedence, or <see cref="TimeSpan.Zero"/>.
    /// </summary>
    /// <param name="statusCode">The HTTP status code.</param>
    /// <param name="rateLimitsHeader">The <c>X-Sentry-Rate-Limits</c> value, or null.</param>
    /// <param name="retryAfterHeader">The <c>Retry-After</c> value, or null.</param>
    /// <param name="now">The current time, for a <c>Retry-After</c> date.</param>
    /// <returns>How long to send no transactions.</returns>
    public static TimeSpan ForTransactions(int statusCode, ReadOnlySpan<char> rateLimitsHeader, ReadOnlySpan<char> retryAfterHeader, DateTimeOffset now)
    {
        if (TryParse(rateLimitsHeader, out var delay))
        {
            return delay;
        }

        if (TryParseRetryAfter(retryAfterHeader, now, out delay))
        {
            return delay;
        }

        return statusCode == 429 ? TimeSpan.FromSeconds(DefaultRetryAfterSeconds) : TimeSpan.Zero;
    }

    /// <summary>
    /// Parses <c>X-Sentry-Rate-Limits</c>: entries <c>retry_after:categories:scope:reason…</c> separated by
    /// <c>,</c>; categories separated by <c>;</c>, empty meaning all; a delay that is not a non-negative number
    /// means <see cref="DefaultRetryAfterSeconds"/>, as in Sentry's JS SDK. Empty entries are skipped (JS would
    /// read a stray comma as a 60-second limit on everything).
    /// </summary>
    /// <param name="header">The header value (several values joined by <c>,</c>).</param>
    /// <param name="transactionDelay">The longest delay of an entry that covers transactions, or zero when none does.</param>
    /// <returns>Whether the header has at least one entry, and so decides on its own.</returns>
    public static bool TryParse(ReadOnlySpan<char> header, out TimeSpan transactionDelay)
    {
        transactionDelay = TimeSpan.Zero;
        var any = false;
        var longest = 0.0;
        while (!header.IsEmpty)
        {
            var comma = header.IndexOf(',');
            var entry = (comma < 0 ? header : header[..comma]).Trim();
            header = comma < 0 ? default : header[(comma + 1)..];
            if (entry.IsEmpty)
            {
                continue;
            }

            any = true;
            var colon = entry.IndexOf(':');
            var seconds = ParseDelay(colon < 0 ? entry : entry[..colon]);
            var rest = colon < 0 ? default : entry[(colon + 1)..];
            var nextColon = rest.IndexOf(':');
            var categories = (nextColon < 0 ? rest : rest[..nextColon]).Trim();
            if ((categories.IsEmpty || HasTransactionCategory(categories)) && seconds > longest)
            {
                longest = seconds;
            }
        }

        transactionDelay = TimeSpan.FromSeconds(longest);
        return any;
    }

    /// <summary>Parses <c>Retry-After</c>: delay seconds (digits) or an HTTP date (a past date is zero).</summary>
    /// <param name="header">The header value.</param>
    /// <param name="now">The current time.</param>
    /// <param name="delay">The delay, at most <see cref="MaxRetryAfterSeconds"/>.</param>
    /// <returns>Whether the value is seconds or a date.</returns>
    public static bool TryParseRetryAfter(ReadOnlySpan<char> header, DateTimeOffset now, out TimeSpan delay)
    {
        delay = TimeSpan.Zero;
        var value = header.Trim();
        if (value.IsEmpty)
        {
            return false;
        }

        if (IsDigits(value))
        {
            var significant = value.TrimStart('0');
            var seconds = significant.Length > 6 ? MaxRetryAfterSeconds
                : significant.IsEmpty ? 0
                : int.Parse(significant, NumberStyles.None, CultureInfo.InvariantCulture);
            delay = TimeSpan.FromSeconds(Math.Min(seconds, MaxRetryAfterSeconds));
            return true;
        }

        if (!DateTimeOffset.TryParseExact(value, HttpDateFormats, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowInnerWhite, out var date))
        {
            return false;
        }

        var until = date - now;
        delay = until <= TimeSpan.Zero ? TimeSpan.Zero
            : until.TotalSeconds >= MaxRetryAfterSeconds ? TimeSpan.FromSeconds(MaxRetryAfterSeconds)
            : until;
        return true;
    }

    private static double ParseDelay(ReadOnlySpan<char> text)
    {
        text = text.Trim();
        if (text.IsEmpty || !IsDecimal(text)
            || !double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds))
        {
            return DefaultRetryAfterSeconds;
        }

        return Math.Min(seconds, MaxRetryAfterSeconds);
    }

    private static bool HasTransactionCategory(ReadOnlySpan<char> categories)
    {
        foreach (var range in categories.Split(';'))
        {
            if (categories[range].Trim().Equals(TransactionCategory, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsDigits(ReadOnlySpan<char> s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (!char.IsAsciiDigit(s[i]))
            {
                return false;
            }
        }

        return true;
    }

    // Digits with at most one '.', and at least one digit: double.TryParse alone would also take "NaN" and "∞".
    private static bool IsDecimal(ReadOnlySpan<char> s)
    {
        var digits = 0;
        var dots = 0;
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsAsciiDigit(s[i]))
            {
                digits++;
            }
            else if (s[i] == '.' && ++dots == 1)
            {
                continue;
            }
            else
            {
                return false;
            }
        }

        return digits > 0;
    }
}
