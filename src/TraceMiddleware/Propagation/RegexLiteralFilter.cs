using System.Text.RegularExpressions;

namespace TraceMiddleware.Propagation;

/// <summary>
/// The literal text a target's regular expression requires of every URL it matches, checked before the
/// expression runs: most URLs fail a plain <c>StartsWith</c> or <c>Contains</c> and never reach the regex
/// engine, and a pattern that is nothing but <c>^literal</c> (or a bare literal) is decided by that check alone.
/// FastPathBenchmarks ("regex targets"): the five regex targets of the benchmark list take 85 ns on a URL none
/// of them matches with this filter and 588 ns with <see cref="Regex.IsMatch(ReadOnlySpan{char})"/> alone (106 ns
/// and 995 ns when the last one matches), for every outgoing request.
/// </summary>
/// <remarks>
/// Only patterns in a small, fully understood subset of the syntax get a filter: literal characters, escaped
/// punctuation, <c>.</c>, <c>$</c>, a leading <c>^</c>, simple character classes, plain groups (alternation inside
/// them), and the quantifiers <c>? * + {n} {n,} {n,m}</c> (lazy too); no top-level alternation, and none of the
/// options IgnoreCase, Multiline, IgnorePatternWhitespace, RightToLeft, ECMAScript. Anything else gets no filter
/// and runs the expression as it always did. A literal is taken as required only when it stands at the top level
/// and no quantifier follows it, so the filter never rejects text the expression would match.
/// </remarks>
internal sealed class RegexLiteralFilter
{
    private const RegexOptions UnsupportedOptions = RegexOptions.IgnoreCase | RegexOptions.Multiline
        | RegexOptions.IgnorePatternWhitespace | RegexOptions.RightToLeft | RegexOptions.ECMAScript;

    private readonly string? _prefix;
    private readonly string[] _contained;

    private RegexLiteralFilter(string? prefix, string[] contained, bool decidesAlone)
    {
        _prefix = prefix;
        _contained = contained;
        DecidesAlone = decidesAlone;
    }

    /// <summary>Whether passing the filter is a match: the pattern is only <c>^literal</c> or only a literal.</summary>
    public bool DecidesAlone { get; }

    /// <summary>The filter for <paramref name="pattern"/>, or <see langword="null"/> when it requires no literal the filter can know of.</summary>
    public static RegexLiteralFilter? TryCreate(string pattern, RegexOptions options)
    {
        if ((options & UnsupportedOptions) != 0 || pattern.Length == 0)
        {
            return null;
        }

        var anchored = pattern[0] == '^';
        var i = anchored ? 1 : 0;
        var runs = new List<(int Start, string Text)>();
        var run = new System.Text.StringBuilder();
        var runStart = i;
        var onlyLiterals = true;

        void EndRun()
        {
            if (run.Length > 0)
            {
                runs.Add((runStart, run.ToString()));
                run.Clear();
            }
        }

        while (i < pattern.Length)
        {
            var c = pattern[i];
            if (IsLiteral(c) || (c == '\\' && i + 1 < pattern.Length && IsEscapedPunctuation(pattern[i + 1])))
            {
                var literal = c == '\\' ? pattern[i + 1] : c;
                var next = i + (c == '\\' ? 2 : 1);
                if (next < pattern.Length && IsQuantifierStart(pattern, next))
                {
                    // "s?" or "s*" may leave the character out; keep the run before it only.
                    EndRun();
                    onlyLiterals = false;
                    i = next;
                    continue;
                }

                if (run.Length == 0)
                {
                    runStart = i;
                }

                run.Append(literal);
                i = next;
                continue;
            }

            EndRun();
            onlyLiterals = false;
            switch (c)
            {
                case '.':
                case '$':
                    i++;
                    break;
                case '[':
                    if (!TrySkipClass(pattern, ref i))
                    {
                        return null;
                    }

                    break;
                case '(':
                    if (!TrySkipGroup(pattern, ref i))
                    {
                        return null;
                    }

                    break;
                case '?':
                case '*':
                case '+':
                    // After a class, a group, '.' or another quantifier (lazy "*?").
                    if (i == 0 || (anchored && i == 1))
                    {
                        return null;
                    }

                    i++;
                    break;
                case '{':
                    if (!TrySkipCount(pattern, ref i))
                    {
                        return null;
                    }

                    break;
                default:
                    // Top-level '|', '^' past the start, ')', ']', '}', other escapes, whitespace, non-ASCII.
                    return null;
            }
        }

        EndRun();
        if (runs.Count == 0)
        {
            return null;
        }

        string? prefix = null;
        var contained = new List<string>();
        foreach (var (start, text) in runs)
        {
            if (anchored && start == 1 && prefix is null)
            {
                prefix = text;
            }
            else
            {
                contained.Add(text);
            }
        }

        // Only a pattern of one literal (after an optional ^) is decided by the literal check alone.
        var decidesAlone = onlyLiterals && runs.Count == 1;
        return new RegexLiteralFilter(prefix, [.. contained], decidesAlone);
    }

    /// <summary>
    /// <see langword="false"/> when <paramref name="text"/> lacks a literal the pattern requires, so the pattern
    /// cannot match it; <see langword="true"/> when the pattern may match (and does, when <see cref="DecidesAlone"/>).
    /// </summary>
    public bool MayMatch(ReadOnlySpan<char> text)
    {
        if (_prefix is not null && !text.StartsWith(_prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var contained = _contained;
        for (var i = 0; i < contained.Length; i++)
        {
            if (!text.Contains(contained[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsLiteral(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '/' or ':' or '-' or '_' or '@' or '%' or '=' or '&' or ',' or ';' or '~' or '!' or '\'' or '"' or '<' or '>';

    private static bool IsEscapedPunctuation(char c) =>
        c is > ' ' and < '\x7f' && !char.IsAsciiLetterOrDigit(c);

    private static bool IsQuantifierStart(string pattern, int i)
    {
        var c = pattern[i];
        if (c is '?' or '*' or '+')
        {
            return true;
        }

        var at = i;
        return c == '{' && TrySkipCount(pattern, ref at);
    }

    // {n}, {n,}, {n,m}; anything else would be a literal '{' to .NET, which this filter does not model.
    private static bool TrySkipCount(string pattern, ref int i)
    {
        var at = i + 1;
        var digits = 0;
        while (at < pattern.Length && char.IsAsciiDigit(pattern[at]))
        {
            at++;
            digits++;
        }

        if (digits == 0 || at >= pattern.Length)
        {
            return false;
        }

        if (pattern[at] == ',')
        {
            at++;
            while (at < pattern.Length && char.IsAsciiDigit(pattern[at]))
            {
                at++;
            }
        }

        if (at >= pattern.Length || pattern[at] != '}')
        {
            return false;
        }

        i = at + 1;
        return true;
    }

    // A class of literal characters, ranges and escaped punctuation: [a-z0-9-], [^/], [\.\-].
    private static bool TrySkipClass(string pattern, ref int i)
    {
        var at = i + 1;
        if (at < pattern.Length && pattern[at] == '^')
        {
            at++;
        }

        var members = 0;
        while (at < pattern.Length && pattern[at] != ']')
        {
            var c = pattern[at];
            if (c == '\\')
            {
                if (at + 1 >= pattern.Length || !IsEscapedPunctuation(pattern[at + 1]))
                {
                    return false;
                }

                at += 2;
            }
            else if (IsLiteral(c) || c is '.' or '$' or '*' or '+' or '?' or '(' or ')' or '{' or '}' or '|')
            {
                at++;
            }
            else
            {
                // '[' (subtraction), whitespace, non-ASCII and the rest: not modelled.
                return false;
            }

            members++;
        }

        if (members == 0 || at >= pattern.Length)
        {
            return false;
        }

        i = at + 1;
        return true;
    }

    // A plain group, possibly nested, with alternation, classes and quantifiers inside; no (?...) constructs.
    private static bool TrySkipGroup(string pattern, ref int i)
    {
        var depth = 0;
        var at = i;
        while (at < pattern.Length)
        {
            var c = pattern[at];
            switch (c)
            {
                case '(':
                    if (at + 1 < pattern.Length && pattern[at + 1] == '?')
                    {
                        return false;
                    }

                    depth++;
                    at++;
                    break;
                case ')':
                    depth--;
                    at++;
                    if (depth == 0)
                    {
                        i = at;
                        return true;
                    }

                    break;
                case '[':
                    if (!TrySkipClass(pattern, ref at))
                    {
                        return false;
                    }

                    break;
                case '{':
                    if (!TrySkipCount(pattern, ref at))
                    {
                        return false;
                    }

                    break;
                case '\\':
                    if (at + 1 >= pattern.Length || !IsEscapedPunctuation(pattern[at + 1]))
                    {
                        return false;
                    }

                    at += 2;
                    break;
                default:
                    if (!(IsLiteral(c) || c is '.' or '$' or '|' or '?' or '*' or '+' or '^'))
                    {
                        return false;
                    }

                    at++;
                    break;
            }
        }

        return false;
    }
}
