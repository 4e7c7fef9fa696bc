using System.Diagnostics;

namespace TraceMiddleware.Transactions;

/// <summary>
/// Which of a span's tags become its Sentry <c>data</c>, and how: the library's own <c>sentry.</c> tags are Sentry
/// fields, not data; a URL goes without its query; what identifies a person (the client's address, its user agent,
/// headers) goes only with <c>SendDefaultPii</c>, whichever instrumentation wrote it.
/// </summary>
internal static class SpanData
{
    /// <summary>The prefix of tags that are Sentry fields (<c>sentry.op</c>, <c>sentry.status</c>, …).</summary>
    public const string SentryPrefix = "sentry.";

    /// <summary>The prefix of tags that become the transaction's Sentry tags: <c>sentry.tag.tenant</c> is the tag <c>tenant</c>.</summary>
    public const string TagPrefix = "sentry.tag.";

    private const string UrlFull = "url.full";

    /// <summary>Whether <paramref name="key"/> says something about a person, sent only with <c>SendDefaultPii</c>.</summary>
    public static bool IsPersonal(string key) =>
        key is "client.address" or "client.port" or "user_agent.original" or "network.peer.address" or "network.peer.port"
        || key.StartsWith("http.request.header.", StringComparison.Ordinal)
        || key.StartsWith("http.response.header.", StringComparison.Ordinal)
        || key.StartsWith("enduser.", StringComparison.Ordinal);

    /// <summary>Whether a tag is never data: Sentry fields, and the query string.</summary>
    public static bool IsNeverData(string key) => key.StartsWith(SentryPrefix, StringComparison.Ordinal) || key == "url.query";

    /// <summary>The value sent for <paramref name="key"/>: a URL without its query and fragment, anything else as it is.</summary>
    public static object? Value(string key, object? value) =>
        key == UrlFull && value is string url && url.AsSpan().IndexOfAny('?', '#') is var end and >= 0 ? url[..end] : value;

    /// <summary>Whether <paramref name="key"/> is sent as data under this setting.</summary>
    public static bool IsSent(string key, bool sendDefaultPii) => !IsNeverData(key) && (sendDefaultPii || !IsPersonal(key));

    /// <summary>The data of <paramref name="activity"/> as a dictionary, for code that reads or changes it.</summary>
    public static Dictionary<string, object?> Read(Activity activity, bool sendDefaultPii)
    {
        var data = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in activity.EnumerateTagObjects())
        {
            if (IsSent(tag.Key, sendDefaultPii))
            {
                data[tag.Key] = Value(tag.Key, tag.Value);
            }
        }

        return data;
    }

    /// <summary>The Sentry tags written on <paramref name="activity"/> with <see cref="TagPrefix"/>, into <paramref name="tags"/>.</summary>
    public static void ReadTags(Activity activity, IDictionary<string, string> tags)
    {
        foreach (var tag in activity.EnumerateTagObjects())
        {
            if (tag.Key.StartsWith(TagPrefix, StringComparison.Ordinal) && tag.Key.Length > TagPrefix.Length && tag.Value is not null)
            {
                tags[tag.Key[TagPrefix.Length..]] = Convert.ToString(tag.Value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
            }
        }
    }

    /// <summary>Sentry's operation of a span: ours, or the name of what made it.</summary>
    public static string Operation(Activity activity) => activity.GetTagItem(SpanTags.Op) as string ?? activity.OperationName;
}
