namespace TraceMiddleware.Configuration;

/// <summary>
/// Finds the known configuration key an unknown one was probably meant to be (<c>TracesSampelRate</c>:
/// <c>TracesSampleRate</c>), by edit distance, ignoring case as .NET configuration does.
/// </summary>
internal static class KeySuggestion
{
    /// <summary>The most edits a suggestion may be away, whatever the key's length.</summary>
    public const int MaxDistance = 3;

    /// <summary>
    /// The known key closest to <paramref name="unknown"/>, or <see langword="null"/> when none is close enough
    /// (see <see cref="AllowedDistance"/>); on a tie, the first in <paramref name="known"/>.
    /// </summary>
    public static string? Closest(string unknown, IEnumerable<string> known)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            var distance = Distance(unknown, candidate);
            if (distance <= AllowedDistance(candidate) && distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best;
    }

    /// <summary>
    /// How many edits from <paramref name="known"/> still read as a typo of it: a third of its length, at least 1
    /// and at most <see cref="MaxDistance"/>. <c>Dns</c> is a typo of <c>Dsn</c>; <c>Foo</c> is not.
    /// </summary>
    public static int AllowedDistance(string known) => Math.Clamp(known.Length / 3, 1, MaxDistance);

    /// <summary>
    /// The optimal-string-alignment distance (Damerau-Levenshtein where no substring is edited twice): the
    /// fewest insertions, deletions, substitutions and swaps of two neighbouring characters that turn one
    /// string into the other, comparing characters case-insensitively (invariant culture).
    /// </summary>
    public static int Distance(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);

        // Three rows of the usual table: the swap looks two rows back.
        var before = new int[b.Length + 1];
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = Same(a[i - 1], b[j - 1]) ? 0 : 1;
                var value = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                if (i > 1 && j > 1 && Same(a[i - 1], b[j - 2]) && Same(a[i - 2], b[j - 1]))
                {
                    value = Math.Min(value, before[j - 2] + 1);
                }

                current[j] = value;
            }

            (before, previous, current) = (previous, current, before);
        }

        return previous[b.Length];
    }

    private static bool Same(char x, char y) => char.ToUpperInvariant(x) == char.ToUpperInvariant(y);
}
