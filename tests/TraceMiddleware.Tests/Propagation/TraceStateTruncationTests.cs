using Microsoft.Extensions.Primitives;
using TraceMiddleware.Propagation;

namespace TraceMiddleware.Tests.Propagation;

/// <summary>
/// W3C Trace Context Level 2, "tracestate Limits": "Vendors SHOULD propagate at least 512 characters of a
/// combined header", and when cutting, "the vendor MUST truncate whole entries. Entries larger than 128
/// characters long SHOULD be removed first. Then entries SHOULD be removed starting from the end".
/// </summary>
public class TraceStateTruncationTests
{
    [Fact]
    public void PropagatedValue_Of512Characters_IsTheWholeHeader()
    {
        // 7 members of 63 characters with their commas (447), a comma and a 64-character member: 512.
        string[] members = [.. Enumerable.Range(0, 7).Select(i => $"k{i}=" + new string('v', 60)), "last=" + new string('w', 59)];
        var value = string.Join(",", members);
        Assert.Equal(TraceStateHeader.MaxPropagatedLength, value.Length);

        TraceStateHeader.TryParse(value, out var header);

        Assert.Same(header.Value, header.PropagatedValue);
    }

    [Fact]
    public void PropagatedValue_Of513Characters_LosesTheRightMostMember()
    {
        string[] members = [.. Enumerable.Range(0, 7).Select(i => $"k{i}=" + new string('v', 60)), "last=" + new string('w', 60)];
        TraceStateHeader.TryParse(string.Join(",", members), out var header);

        var sent = header.PropagatedValue;

        Assert.Equal(513, header.Value!.Length);
        Assert.Equal(string.Join(",", members[..7]), sent);
    }

    [Fact]
    public void PropagatedValue_ShortMembersOnly_AreCutFromTheRight()
    {
        var members = Enumerable.Range(0, 32).Select(i => $"k{i:00}=" + new string('v', 40)).ToArray();
        TraceStateHeader.TryParse(string.Join(",", members), out var header);

        var sent = header.PropagatedValue!;

        // 44 characters and a comma each: 11 members (494 characters) fit, a 12th would not.
        Assert.Equal(string.Join(",", members[..11]), sent);
    }

    [Fact]
    public void PropagatedValue_MembersOver128Characters_GoFirstFromTheRight_ThenTheShortOnes()
    {
        var long1 = "long1=" + new string('x', 200);
        var long2 = "long2=" + new string('y', 200);
        var shorts = Enumerable.Range(0, 6).Select(i => $"s{i}=" + new string('v', 20)).ToArray();
        string[] members = [shorts[0], long1, shorts[1], shorts[2], long2, shorts[3], shorts[4], shorts[5]];
        TraceStateHeader.TryParse(string.Join(",", members), out var header);

        var sent = header.PropagatedValue;

        // 6 × 23 + 2 × 206 + 7 = 557: dropping long2 (the right-most long one) leaves 350, which fits.
        Assert.Equal(string.Join(",", shorts[0], long1, shorts[1], shorts[2], shorts[3], shorts[4], shorts[5]), sent);
    }

    [Fact]
    public void PropagatedValue_AMemberOfExactly128Characters_IsNotALongOne()
    {
        var at128 = "edge=" + new string('e', 123);
        var at129 = "long=" + new string('l', 124);
        var filler = Enumerable.Range(0, 4).Select(i => $"f{i}=" + new string('f', 80)).ToArray();
        string[] members = [filler[0], at129, filler[1], at128, filler[2], filler[3]];
        TraceStateHeader.TryParse(string.Join(",", members), out var header);

        var sent = header.PropagatedValue;

        // 594 characters: only the 129-character member counts as long, though the 128-character one is further right.
        Assert.Equal(594, header.Value!.Length);
        Assert.Equal(string.Join(",", filler[0], filler[1], at128, filler[2], filler[3]), sent);
    }

    // The reliability run's case: 32 members with 256-character values over two lines, about 8 KiB combined.
    [Fact]
    public void PropagatedValue_ThirtyTwoMaximalValues_KeepsWholeMembersWithin512()
    {
        var members = Enumerable.Range(0, 32).Select(i => $"vendor{i:00}=" + new string('x', 256)).ToArray();
        var lines = new StringValues([string.Join(",", members[..16]), string.Join(",", members[16..])]);
        TraceStateHeader.TryParse(lines, out var header);

        var sent = header.PropagatedValue;

        Assert.Equal((32 * 265) + 31, header.Value!.Length);
        Assert.Equal(members[0], sent);
    }

    [Fact]
    public void PropagatedValue_OneMemberLongerThan512_LeavesNothingToSend()
    {
        var member = new string('k', TraceStateHeader.MaxKeyLength) + "=" + new string('v', TraceStateHeader.MaxValueLength);
        var ok = TraceStateHeader.TryParse(member, out var header);

        var sent = header.PropagatedValue;

        Assert.True(ok);
        Assert.Equal(513, member.Length);
        Assert.Null(sent);
    }

    [Fact]
    public void PropagatedValue_EmptyHeader_IsNull()
    {
        Assert.Null(default(TraceStateHeader).PropagatedValue);
    }

    [Fact]
    public void PropagatedValue_RandomLists_AgreeWithAListBasedReference()
    {
        var random = new Random(20_260_514);
        for (var i = 0; i < 2_000; i++)
        {
            var members = Enumerable.Range(0, random.Next(1, 33))
                .Select(m => $"m{m}=" + new string('v', random.Next(4) == 0 ? random.Next(120, 257) : random.Next(1, 60)))
                .ToArray();
            TraceStateHeader.TryParse(string.Join(",", members), out var header);

            var sent = header.PropagatedValue;

            Assert.Equal(Reference(members), sent);
            if (sent is not null)
            {
                Assert.InRange(sent.Length, 1, TraceStateHeader.MaxPropagatedLength);
                Assert.True(TraceStateHeader.TryParse(sent, out var again));
                Assert.Equal(sent, again.Value);
            }
        }
    }

    // The specification's words as a loop: while too long, drop the right-most member over 128 characters,
    // or else the right-most member.
    private static string? Reference(string[] members)
    {
        var list = members.ToList();
        while (list.Count > 0 && string.Join(",", list).Length > TraceStateHeader.MaxPropagatedLength)
        {
            var index = list.FindLastIndex(m => m.Length > 128);
            list.RemoveAt(index >= 0 ? index : list.Count - 1);
        }

        return list.Count == 0 ? null : string.Join(",", list);
    }
}
