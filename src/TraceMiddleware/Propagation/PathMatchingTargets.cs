using System.Text.RegularExpressions;

namespace TraceMiddleware.Propagation;

/// <summary>
/// Which targets can match inside the path of another host's URL. A plain string matches anywhere in
/// <c>scheme://host[:port]/path</c>, so <c>localhost</c> also sends the trace headers to
/// <c>http://other-host/localhost/x</c> and <c>https://api.example/v1/LOCALHOST</c>, wherever a path carries a
/// name or a search term.
/// </summary>
/// <remarks>
/// A plain string that begins with a scheme and a host (<c>https://api.example.com</c>) can match in a path only
/// where the path holds a whole URL, written unescaped; it is not counted. <c>*</c> matches every URL on
/// purpose, regular expressions anchor what they say, and the default loopback targets compare the host.
/// </remarks>
internal static partial class PathMatchingTargets
{
    /// <summary>Whether <paramref name="target"/> is a plain string that can match inside a path.</summary>
    public static bool CanMatchInsidePath(TracePropagationTarget target) =>
        target.Kind == TracePropagationTargetKind.Substring && !StartsWithOrigin(target.Value);

    /// <summary>
    /// A regular expression that allows what <paramref name="text"/> was probably meant for, anchored at the
    /// scheme and host: <c>^https?://localhost(:\d+)?(/|$)</c> for <c>localhost</c>,
    /// <c>^https?://api\.example\.com:8443/v1</c> for <c>api.example.com:8443/v1</c>; for text that does not
    /// begin with a host, an example of the form.
    /// </summary>
    public static string AnchoredExample(string text)
    {
        var slash = text.IndexOf('/');
        var authority = slash < 0 ? text : text[..slash];
        var match = HostAndPort().Match(authority);
        if (authority.Length == 0 || !match.Success)
        {
            return @"^https://api\.example\.com(/|:|$)";
        }

        // Uri writes the host in lower case, and the pattern is case-sensitive.
        var host = Regex.Escape(match.Groups["host"].Value.ToLowerInvariant());
        var port = match.Groups["port"].Success ? ":" + match.Groups["port"].Value : @"(:\d+)?";
        var rest = slash < 0 ? "(/|$)" : Regex.Escape(text[slash..]);
        return $"^https?://{host}{port}{rest}";
    }

    private static bool StartsWithOrigin(string text)
    {
        var delimiter = text.IndexOf("://", StringComparison.Ordinal);
        if (delimiter <= 0 || !char.IsAsciiLetter(text[0]) || delimiter + 3 >= text.Length)
        {
            return false;
        }

        for (var i = 1; i < delimiter; i++)
        {
            if (!char.IsAsciiLetterOrDigit(text[i]) && text[i] is not ('+' or '-' or '.'))
            {
                return false;
            }
        }

        return text[delimiter + 3] is not ('/' or '?' or '#' or ':' or '@');
    }

    [GeneratedRegex(@"^(?<host>[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:(?<port>[0-9]{1,5}))?$", RegexOptions.CultureInvariant)]
    private static partial Regex HostAndPort();
}
