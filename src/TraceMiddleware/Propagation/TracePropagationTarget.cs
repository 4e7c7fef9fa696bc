using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace TraceMiddleware.Propagation;

/// <summary>
/// One rule saying which outgoing URLs may receive the trace headers (<c>sentry-trace</c>, <c>baggage</c>,
/// <c>traceparent</c>, <c>tracestate</c>).
/// </summary>
/// <remarks>
/// <para>
/// A target is tested against the URL text <c>scheme://host[:port]/path</c>: without userinfo, query and
/// fragment, and with the port only when it is not the scheme's default. So
/// <c>https://user:pw@API.example.com:443/a/b?x=api.internal#f</c> is tested as
/// <c>https://api.example.com/a/b</c>, and a target cannot be satisfied by a query string such as
/// <c>https://other/?next=api.example.com</c>. Relative URIs never match.
/// </para>
/// <para>
/// From text: <c>*</c> or <c>.*</c> matches every URL; a string starting with <c>^</c> is a regular
/// expression (case-sensitive as written, like JavaScript; write <c>(?i)</c> to ignore case); any other
/// string is a case-insensitive substring, with surrounding whitespace ignored. A substring matches in the
/// path too (<c>localhost</c> matches <c>http://other-host/localhost/x</c>): prefer a pattern anchored at the
/// scheme and host, such as <c>^https?://localhost(:\d+)?(/|$)</c>.
/// </para>
/// <para>
/// A regular expression only anchors what it says: <c>^https://api\.example\.com</c> also matches
/// <c>https://api.example.com.evil.com/</c>. End the host with <c>(/|:|$)</c>, for example
/// <c>^https://api\.example\.com(/|:|$)</c>, to allow that host only.
/// </para>
/// <para>
/// No regular expression can hang a request: patterns run on the non-backtracking engine; a pattern that
/// needs the backtracking engine (backreferences, lookarounds, atomic groups) runs with a match timeout of
/// <see cref="RegexMatchTimeoutMilliseconds"/> ms, and a timeout counts as no match.
/// </para>
/// </remarks>
public sealed class TracePropagationTarget
{
    /// <summary>
    /// How long, in milliseconds, a regular expression that needs the backtracking engine may run on one URL
    /// before it counts as no match.
    /// </summary>
    internal const int RegexMatchTimeoutMilliseconds = 5;

    internal static readonly TimeSpan RegexMatchTimeout = TimeSpan.FromMilliseconds(RegexMatchTimeoutMilliseconds);

    private const int WarmUpMatches = 2;

    private const RegexOptions PatternOptions = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;

    private readonly TracePropagationTargetKind _kind;
    private readonly string _value;
    private readonly Regex? _regex;

    // Literal text the pattern requires: most URLs are turned away by it without running the regex.
    private readonly RegexLiteralFilter? _filter;

    // The vectorised search for an ASCII substring target.
    private readonly AsciiSubstring? _substring;

    /// <summary>Creates a target from text, as written in configuration.</summary>
    /// <param name="target">
    /// <c>*</c> or <c>.*</c> for every URL, a string starting with <c>^</c> for a regular expression, or any
    /// other string for a case-insensitive substring of the URL text.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="target"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="target"/> is empty or whitespace, or starts with <c>^</c> and is not a valid regular
    /// expression (the message names the pattern and the reason).
    /// </exception>
    public TracePropagationTarget(string target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!TryParse(target, out _kind, out var value, out _regex, out var error))
        {
            throw new ArgumentException(error, nameof(target));
        }

        _value = value;
        _filter = _regex is null ? null : RegexLiteralFilter.TryCreate(_regex.ToString(), _regex.Options);
        _substring = _kind == TracePropagationTargetKind.Substring ? AsciiSubstring.TryCreate(value) : null;
    }

    /// <summary>Creates a target from a regular expression written in code.</summary>
    /// <param name="regex">
    /// The expression, tested against the URL text. One without a match timeout is rebuilt on the
    /// non-backtracking engine with the same options, or, when its constructs need backtracking, with a
    /// timeout of <see cref="RegexMatchTimeoutMilliseconds"/> ms.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="regex"/> is <see langword="null"/>.</exception>
    public TracePropagationTarget(Regex regex)
    {
        ArgumentNullException.ThrowIfNull(regex);
        _kind = TracePropagationTargetKind.Pattern;
        _value = regex.ToString();
        _regex = MakeSafe(regex);
        _filter = RegexLiteralFilter.TryCreate(_regex.ToString(), _regex.Options);
    }

    /// <summary>
    /// Converts a string as <see cref="TracePropagationTarget(string)"/> does, so that code can write
    /// <c>o.TracePropagationTargets = [@"^https?://localhost(:\d+)?(/|$)", new Regex(@"^https://api\.example\.com/")]</c>.
    /// </summary>
    /// <param name="target">A substring, a <c>^</c> pattern, or <c>*</c>.</param>
    public static implicit operator TracePropagationTarget(string target) => new(target);

    /// <summary>Converts a regular expression as <see cref="TracePropagationTarget(Regex)"/> does.</summary>
    /// <param name="regex">The expression, tested against the URL text.</param>
    public static implicit operator TracePropagationTarget(Regex regex) => new(regex);

    private TracePropagationTarget(TracePropagationTargetKind kind, string value)
    {
        _kind = kind;
        _value = value;
        _substring = kind == TracePropagationTargetKind.Substring ? AsciiSubstring.TryCreate(value) : null;
    }

    /// <summary>Words for diagnostics, such as <c>contains "api.example.com"</c> or <c>every URL</c>.</summary>
    public string Description => _kind switch
    {
        TracePropagationTargetKind.Every => "every URL",
        TracePropagationTargetKind.Substring => $"contains \"{_value}\"",
        TracePropagationTargetKind.Pattern => $"matches {_value}",
        _ => $"{_value} (any port)",
    };

    internal TracePropagationTargetKind Kind => _kind;

    /// <summary>The text the target was made from: the substring (trimmed), the pattern, or the host.</summary>
    internal string Value => _value;

    /// <summary>The regular expression this target runs, after <see cref="MakeSafe"/>; null for other kinds.</summary>
    internal Regex? Regex => _regex;

    /// <summary>
    /// Creates a target from text without throwing, for validating options.
    /// </summary>
    /// <param name="target">The text, as for <see cref="TracePropagationTarget(string)"/>.</param>
    /// <param name="result">The target, when the text is valid.</param>
    /// <param name="error">
    /// Why the text is not a valid target, such as
    /// <c>'^https://(' is not a valid regular expression: Not enough )'s at offset 10.</c>
    /// </param>
    /// <returns><see langword="true"/> when <paramref name="target"/> is a valid target; a null text is not.</returns>
    internal static bool TryCreate(
        string? target,
        [NotNullWhen(true)] out TracePropagationTarget? result,
        [NotNullWhen(false)] out string? error)
    {
        result = null;
        if (target is null)
        {
            error = "A trace propagation target must not be null.";
            return false;
        }

        if (!TryParse(target, out var kind, out var value, out var regex, out error))
        {
            return false;
        }

        result = regex is null ? new TracePropagationTarget(kind, value) : new TracePropagationTarget(regex);
        return true;
    }

    /// <summary>A target that matches when the URL's host is exactly <paramref name="host"/> (case-insensitive), any scheme and port.</summary>
    /// <param name="host">A host as <see cref="Uri.Host"/> writes it: <c>localhost</c>, <c>127.0.0.1</c>, <c>[::1]</c>.</param>
    internal static TracePropagationTarget LoopbackHost(string host) => new(TracePropagationTargetKind.LoopbackHost, host);

    /// <summary>Tests an outgoing request URI.</summary>
    /// <param name="uri">The request URI; a relative one never matches.</param>
    /// <returns><see langword="true"/> when the trace headers may be sent to <paramref name="uri"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="uri"/> is <see langword="null"/>.</exception>
    internal bool IsMatch(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return TargetUrl.Evaluate(uri, this, static (urlText, target) => target.IsMatch(urlText) ? 1 : 0) == 1;
    }

    /// <summary>
    /// <see cref="IsMatch(ReadOnlySpan{char})"/> with the text's ASCII lower-case form at hand (see
    /// <see cref="AsciiSubstring.TryLower"/>), which a list computes once for all its targets.
    /// </summary>
    internal bool IsMatch(ReadOnlySpan<char> urlText, ReadOnlySpan<char> lowerAsciiText, bool lowered) =>
        lowered && _substring is { } substring ? substring.IsContainedInLowered(lowerAsciiText) : IsMatch(urlText);

    /// <summary>Tests URL text already in the form <c>scheme://host[:port]/path</c>.</summary>
    /// <param name="urlText">The URL text, without userinfo, query and fragment.</param>
    /// <returns><see langword="true"/> when the target matches; a regular expression that times out does not.</returns>
    internal bool IsMatch(ReadOnlySpan<char> urlText)
    {
        switch (_kind)
        {
            case TracePropagationTargetKind.Every:
                return true;
            case TracePropagationTargetKind.Substring:
                return _substring?.IsContainedIn(urlText) ?? urlText.Contains(_value.AsSpan(), StringComparison.OrdinalIgnoreCase);
            case TracePropagationTargetKind.LoopbackHost:
                return TargetUrl.TryGetHost(urlText, out var host) && host.Equals(_value.AsSpan(), StringComparison.OrdinalIgnoreCase);
            default:
                if (_filter is { } filter)
                {
                    if (!filter.MayMatch(urlText))
                    {
                        return false;
                    }

                    if (filter.DecidesAlone)
                    {
                        return true;
                    }
                }

                try
                {
                    return _regex!.IsMatch(urlText);
                }
                catch (RegexMatchTimeoutException)
                {
                    // A pattern that cannot decide in time must not leak the trace headers.
                    return false;
                }
        }
    }

    /// <summary>The <see cref="Description"/>.</summary>
    /// <returns>Words for diagnostics.</returns>
    public override string ToString() => Description;

    private static bool TryParse(
        string target,
        out TracePropagationTargetKind kind,
        out string value,
        out Regex? regex,
        [NotNullWhen(false)] out string? error)
    {
        kind = TracePropagationTargetKind.Substring;
        regex = null;
        error = null;
        value = target.Trim();
        if (value.Length == 0)
        {
            error = "A trace propagation target must not be empty or whitespace: write \"*\" for every URL, "
                + "a part of the URL such as \"api.example.com\", or a regular expression starting with '^'.";
            return false;
        }

        if (value is "*" or ".*")
        {
            kind = TracePropagationTargetKind.Every;
            return true;
        }

        if (target[0] != '^')
        {
            return true;
        }

        // A pattern is used exactly as written: surrounding whitespace can be part of it.
        value = target;
        kind = TracePropagationTargetKind.Pattern;
        try
        {
            regex = new Regex(target, PatternOptions);
        }
        catch (RegexParseException e)
        {
            error = $"'{target}' is not a valid regular expression: {Reason(e, target)}";
            return false;
        }
        catch (NotSupportedException)
        {
            regex = WithTimeout(target, RegexOptions.CultureInvariant);
        }

        return true;
    }

    /// <summary>
    /// A backtracking regex with the short match timeout, run once here: its first match pays for setting up
    /// the interpreter, which could take longer than the timeout and so withhold the headers of the first
    /// request after start-up.
    /// </summary>
    private static Regex WithTimeout(string pattern, RegexOptions options)
    {
        var regex = new Regex(pattern, options, RegexMatchTimeout);
        for (var i = 0; i < WarmUpMatches; i++)
        {
            try
            {
                regex.IsMatch("https://warm.up/");
            }
            catch (RegexMatchTimeoutException)
            {
                // Cold start: the next attempt runs warm.
            }
        }

        return regex;
    }

    private static Regex MakeSafe(Regex regex)
    {
        if (regex.MatchTimeout != Regex.InfiniteMatchTimeout || (regex.Options & RegexOptions.NonBacktracking) != 0)
        {
            return regex;
        }

        try
        {
            return new Regex(regex.ToString(), regex.Options | RegexOptions.NonBacktracking);
        }
        catch (NotSupportedException)
        {
            // The pattern needs backtracking (lookarounds, backreferences, atomic groups…).
        }
        catch (ArgumentOutOfRangeException)
        {
            // RightToLeft and ECMAScript cannot be combined with NonBacktracking.
        }

        return WithTimeout(regex.ToString(), regex.Options);
    }

    private static string Reason(RegexParseException e, string pattern)
    {
        // The parser's message repeats the pattern ("Invalid pattern '…' at offset 10. Not enough )'s."),
        // which would then appear twice; keep its reason and offset only.
        var prefix = $"Invalid pattern '{pattern}' at offset {e.Offset}. ";
        var message = e.Message;
        return message.StartsWith(prefix, StringComparison.Ordinal)
            ? $"{message[prefix.Length..].TrimEnd('.')} at offset {e.Offset}."
            : message;
    }
}
