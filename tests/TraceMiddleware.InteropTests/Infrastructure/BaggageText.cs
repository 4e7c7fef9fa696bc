namespace TraceMiddleware.InteropTests.Infrastructure;

/// <summary>Reads a <c>baggage</c> header the way Sentry's SDKs do, for assertions.</summary>
public static class BaggageText
{
    /// <summary>The Dynamic Sampling Context in <paramref name="header"/>: the <c>sentry-</c> members, prefix removed, values decoded.</summary>
    public static Dictionary<string, string> SentryMembers(string? header)
    {
        var dsc = new Dictionary<string, string>();
        foreach (var member in (header ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = member.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue;
            }

            var key = Uri.UnescapeDataString(member[..equals].Trim());
            if (key.StartsWith("sentry-", StringComparison.Ordinal))
            {
                dsc[key["sentry-".Length..]] = Uri.UnescapeDataString(member[(equals + 1)..].Trim());
            }
        }

        return dsc;
    }
}
