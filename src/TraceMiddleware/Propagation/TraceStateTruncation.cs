namespace TraceMiddleware.Propagation;

/// <summary>
/// Cuts a normalized <c>tracestate</c> to a length by whole members, as W3C Trace Context Level 2
/// ("tracestate Limits") asks: "the vendor MUST truncate whole entries. Entries larger than 128
/// characters long SHOULD be removed first. Then entries SHOULD be removed starting from the end".
/// </summary>
internal static class TraceStateTruncation
{
    /// <summary>Members longer than this (128 characters, <c>key=value</c>) are the first to go.</summary>
    public const int LongMemberLength = 128;

    /// <summary>
    /// <paramref name="normalized"/> itself when it fits in <paramref name="maxLength"/>; otherwise a copy
    /// without the right-most members over <see cref="LongMemberLength"/> characters, then without the
    /// right-most members, until it fits; <see langword="null"/> when no member is left.
    /// </summary>
    /// <param name="normalized">Valid members joined by <c>,</c>, without whitespace or empty members.</param>
    /// <param name="maxLength">The longest text to keep, commas included.</param>
    public static string? Truncate(string normalized, int maxLength)
    {
        if (normalized.Length <= maxLength)
        {
            return normalized;
        }

        var text = normalized.AsSpan();
        Span<Range> members = stackalloc Range[TraceStateHeader.MaxMembers];
        var count = text.Split(members, ',');
        Span<bool> removed = stackalloc bool[count];
        var length = normalized.Length;
        var kept = count;

        // First pass: only the long members; second pass: any member. Both from the right.
        for (var pass = 0; pass < 2 && length > maxLength; pass++)
        {
            for (var i = count - 1; i >= 0 && length > maxLength; i--)
            {
                var memberLength = members[i].GetOffsetAndLength(text.Length).Length;
                if (removed[i] || (pass == 0 && memberLength <= LongMemberLength))
                {
                    continue;
                }

                removed[i] = true;
                kept--;

                // A member takes its comma with it, except the last one left.
                length -= memberLength + (kept > 0 ? 1 : 0);
            }
        }

        if (kept == 0)
        {
            return null;
        }

        var builder = new System.Text.StringBuilder(length);
        for (var i = 0; i < count; i++)
        {
            if (!removed[i])
            {
                if (builder.Length > 0)
                {
                    builder.Append(',');
                }

                builder.Append(text[members[i]]);
            }
        }

        return builder.ToString();
    }
}
