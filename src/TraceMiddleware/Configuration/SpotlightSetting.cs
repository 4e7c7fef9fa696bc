namespace TraceMiddleware.Configuration;

/// <summary>
/// Where envelopes also go for Spotlight, Sentry's local trace viewer, read as Sentry's SDKs read it: the
/// <c>Spotlight</c> option is <c>false</c> (or unset), <c>true</c> (the sidecar's default URL) or a URL, and
/// the <c>SENTRY_SPOTLIGHT</c> environment variable is consulted when the option does not decide.
/// </summary>
/// <remarks>
/// Sentry's SDK guidelines for Spotlight: the option wins over the variable, except that <c>true</c> takes the
/// variable's URL when it holds one; <c>false</c> turns Spotlight off whatever the variable says. Both accept
/// the words <c>true t y yes on 1</c> and <c>false f n no off 0</c> in any case; anything else is a URL, which
/// must be absolute <c>http</c> or <c>https</c>.
/// </remarks>
internal static class SpotlightSetting
{
    /// <summary>The environment variable Sentry's SDKs read.</summary>
    public const string EnvironmentVariable = "SENTRY_SPOTLIGHT";

    /// <summary>Where the Spotlight sidecar (<c>npx @spotlightjs/spotlight</c>) takes envelopes by default.</summary>
    public static readonly Uri DefaultUrl = new("http://localhost:8969/stream");

    private static readonly string[] TrueWords = ["true", "t", "y", "yes", "on", "1"];
    private static readonly string[] FalseWords = ["false", "f", "n", "no", "off", "0"];

    /// <summary>The Spotlight URL for this process's <see cref="EnvironmentVariable"/>, or null; invalid settings count as off.</summary>
    /// <param name="option">The <c>Spotlight</c> option.</param>
    public static Uri? Resolve(string? option) =>
        TryResolve(option, Environment.GetEnvironmentVariable(EnvironmentVariable), out var url, out _, out _) ? url : null;

    /// <summary>Decides whether and where envelopes go to Spotlight.</summary>
    /// <param name="option">The <c>Spotlight</c> option: null or empty is unset.</param>
    /// <param name="environmentValue">The value of <see cref="EnvironmentVariable"/>: null or empty is unset.</param>
    /// <param name="url">The URL to post envelopes to, or null when Spotlight is off.</param>
    /// <param name="error">Why the setting is not valid, when the method returns <see langword="false"/>.</param>
    /// <param name="fromEnvironment">Whether <paramref name="error"/> is about the environment variable rather than the option.</param>
    /// <returns>Whether the setting is valid.</returns>
    public static bool TryResolve(string? option, string? environmentValue, out Uri? url, out string? error, out bool fromEnvironment)
    {
        url = null;
        fromEnvironment = false;
        var fromOption = Parse(option, out var optionUrl, out error);
        if (error is not null)
        {
            return false;
        }

        if (fromOption == false)
        {
            return true;
        }

        if (fromOption is null || optionUrl is null)
        {
            // Unset, or plain true: the variable may still say where (or, when unset, whether).
            var fromVariable = Parse(environmentValue, out var variableUrl, out error);
            if (error is not null)
            {
                fromEnvironment = true;
                return false;
            }

            if (fromOption is null && fromVariable != true)
            {
                return true;
            }

            url = variableUrl ?? DefaultUrl;
            return true;
        }

        url = optionUrl;
        return true;
    }

    /// <summary>null: unset; false: off; true: on, at <paramref name="url"/> when the text is one, else at the default.</summary>
    private static bool? Parse(string? text, out Uri? url, out string? error)
    {
        url = null;
        error = null;
        var value = text?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (IsOneOf(value, TrueWords))
        {
            return true;
        }

        if (IsOneOf(value, FalseWords))
        {
            return false;
        }

        if (Uri.TryCreate(value, UriKind.Absolute, out var parsed)
            && (parsed.Scheme == Uri.UriSchemeHttp || parsed.Scheme == Uri.UriSchemeHttps)
            && parsed.UserInfo.Length == 0)
        {
            url = parsed;
            return true;
        }

        error = $"'{value}' is not true, false or an absolute http(s) URL; use true for Spotlight's default {DefaultUrl}, or its URL such as http://localhost:8969/stream.";
        return false;
    }

    private static bool IsOneOf(string value, string[] words)
    {
        for (var i = 0; i < words.Length; i++)
        {
            if (string.Equals(value, words[i], StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
