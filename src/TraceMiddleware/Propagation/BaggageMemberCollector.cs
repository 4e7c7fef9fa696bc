namespace TraceMiddleware.Propagation;

/// <summary>
/// Collects parsed members on the stack (up to <see cref="BaggageMemberInlineArray.Length"/>, then in a list), with
/// the rule of <see cref="Baggage"/>: a repeated key takes the last value at the first position. The only heap
/// allocation is the final array.
/// </summary>
internal ref struct BaggageMemberCollector
{
    private BaggageMemberInlineArray _inline;
    private List<BaggageMember>? _overflow;
    private int _count;

    public readonly int Count => _count;

    public void AddOrReplace(BaggageMember member)
    {
        if (_overflow is { } list)
        {
            for (var i = 0; i < list.Count; i++)
            {
                if (string.Equals(list[i].Key, member.Key, StringComparison.Ordinal))
                {
                    list[i] = member;
                    return;
                }
            }

            list.Add(member);
            _count++;
            return;
        }

        Span<BaggageMember> items = _inline;
        for (var i = 0; i < _count; i++)
        {
            if (string.Equals(items[i].Key, member.Key, StringComparison.Ordinal))
            {
                items[i] = member;
                return;
            }
        }

        if (_count < BaggageMemberInlineArray.Length)
        {
            items[_count++] = member;
            return;
        }

        _overflow = new List<BaggageMember>(_count * 2);
        _overflow.AddRange(items);
        _overflow.Add(member);
        _count++;
    }

    public readonly BaggageMember[] ToArray()
    {
        if (_overflow is { } list)
        {
            return list.ToArray();
        }

        ReadOnlySpan<BaggageMember> items = _inline;
        return items[.._count].ToArray();
    }
}
