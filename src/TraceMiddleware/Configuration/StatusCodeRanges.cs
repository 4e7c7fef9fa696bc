using System.Globalization;

namespace TraceMiddleware.Configuration;

/// <summary>HTTP status codes written as <c>"404"</c> or <c>"500-599"</c>, as <c>IgnoreStatusCodes</c> takes them.</summary>
internal sealed class StatusCodeRanges
{
    private const int Lowest = 100;
    private const int Highest = 599;

    private readonly (int From, int To)[] _ranges;

    private StatusCodeRanges((int From, int To)[] ranges) => _ranges = ranges;

    public static StatusCodeRanges None { get; } = new([]);

    public bool IsEmpty => _ranges.Length == 0;

    /// <summary>Reads <paramref name="entries"/>, skipping the ones <see cref="TryParse"/> refuses (validation reports them).</summary>
    public static StatusCodeRanges From(IEnumerable<string> entries)
    {
        var ranges = new List<(int, int)>();
        foreach (var entry in entries)
        {
            if (TryParse(entry, out var range, out _))
            {
                ranges.Add(range);
            }
        }

        return ranges.Count == 0 ? None : new StatusCodeRanges([.. ranges]);
    }

    /// <summary>Reads one entry; <paramref name="error"/> says what is wrong with one that is refused.</summary>
    public static bool TryParse(string? entry, out (int From, int To) range, out string? error)
    {
        range = default;
        var text = entry.AsSpan().Trim();
        var dash = text.IndexOf('-');
        var from = dash < 0 ? text : text[..dash].Trim();
        var to = dash < 0 ? text : text[(dash + 1)..].Trim();
        if (!int.TryParse(from, NumberStyles.None, CultureInfo.InvariantCulture, out var low)
            || !int.TryParse(to, NumberStyles.None, CultureInfo.InvariantCulture, out var high))
        {
            error = $"'{entry}' is not a status code or a range; write 404 or 500-599.";
            return false;
        }

        if (low < Lowest || high > Highest || low > high)
        {
            error = $"'{entry}' is not within {Lowest}-{Highest}, lowest first.";
            return false;
        }

        range = (low, high);
        error = null;
        return true;
    }

    public bool Contains(int statusCode)
    {
        foreach (var (from, to) in _ranges)
        {
            if (statusCode >= from && statusCode <= to)
            {
                return true;
            }
        }

        return false;
    }
}
