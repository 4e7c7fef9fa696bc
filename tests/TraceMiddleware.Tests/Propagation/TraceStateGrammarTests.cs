using Microsoft.Extensions.Primitives;
using TraceMiddleware.Propagation;

namespace TraceMiddleware.Tests.Propagation;

/// <summary>
/// Cases generated from the W3C Trace Context Level 2 <c>tracestate</c> grammar:
/// <c>list = list-member 0*31( OWS "," OWS list-member )</c>, <c>list-member = (key "=" value) / OWS</c>,
/// <c>key = ( lcalpha / DIGIT ) 0*255 ( keychar )</c>,
/// <c>keychar = lcalpha / DIGIT / "_" / "-"/ "*" / "/" / "@"</c>.
/// </summary>
public class TraceStateGrammarTests
{
    private const string LcAlpha = "abcdefghijklmnopqrstuvwxyz";
    private const string Digits = "0123456789";
    private const string FirstKeyChars = LcAlpha + Digits;
    private const string KeyChars = FirstKeyChars + "_-*/@";

    // Characters outside keychar that look close to it: uppercase, other punctuation, controls, a non-ASCII
    // digit, a fullwidth letter and the Kelvin sign (which lowercases to "k").
    private static readonly string s_notKeyChars = new string(Enumerable.Range(0, 0x80).Select(c => (char)c)
        .Where(c => !KeyChars.Contains(c, StringComparison.Ordinal)).ToArray()) + "\u00e9\u0660\uff41\u212a";

    public static TheoryData<string, bool> KeysAtEveryLengthBoundary()
    {
        var data = new TheoryData<string, bool>();
        foreach (var first in "az09")
        {
            data.Add(first.ToString(), true);
            foreach (var fill in "z9_-*/@")
            {
                foreach (var length in new[] { 2, 255, 256, 257 })
                {
                    data.Add(first + new string(fill, length - 1), length <= TraceStateHeader.MaxKeyLength);
                }
            }
        }

        return data;
    }

    public static TheoryData<char> EveryKeyChar() => [.. KeyChars];

    public static TheoryData<char> EveryFirstKeyChar() => [.. FirstKeyChars];

    public static TheoryData<char> KeyCharsThatCannotComeFirst() => [.. "_-*/@"];

    public static TheoryData<char> EveryCharOutsideKeyChar() => [.. s_notKeyChars];

    // "A key MUST begin with a lowercase letter or a digit and contain up to 256 characters"; the conformance
    // suite's test_tracestate_key_length_limit sends the key on a second header line, beside a valid member.
    [Theory]
    [MemberData(nameof(KeysAtEveryLengthBoundary))]
    public void Key_IsValidUpTo256Characters_InOneLineOrInASecondLine(string key, bool valid)
    {
        var oneLine = TraceStateHeader.TryParse("foo=1," + key + "=1", out var fromOneLine);
        var twoLines = TraceStateHeader.TryParse(new StringValues(["foo=1", key + "=1"]), out var fromTwoLines);

        Assert.Equal(valid, oneLine);
        Assert.Equal(valid, twoLines);
        Assert.Equal(valid ? "foo=1," + key + "=1" : null, fromOneLine.Value);
        Assert.Equal(fromOneLine, fromTwoLines);
    }

    // keychar = lcalpha / DIGIT / "_" / "-"/ "*" / "/" / "@": each is allowed after the first character,
    // at the second, a middle and the 256th (last allowed) position.
    [Theory]
    [MemberData(nameof(EveryKeyChar))]
    public void KeyChar_IsAllowedAnywhereAfterTheFirstCharacter(char c)
    {
        string[] keys = ["a" + c, "a" + c + "b", "0" + c + c, new string('k', TraceStateHeader.MaxKeyLength - 1) + c];

        foreach (var key in keys)
        {
            var ok = TraceStateHeader.TryParse("bar=2," + key + "=1", out var header);

            Assert.True(ok, key);
            Assert.Equal("bar=2," + key + "=1", header.Value);
        }
    }

    // "A key MUST begin with a lowercase letter or a digit".
    [Theory]
    [MemberData(nameof(EveryFirstKeyChar))]
    public void FirstCharacter_LowercaseLetterOrDigit_IsAllowed(char c)
    {
        var ok = TraceStateHeader.TryParse(c + "=1," + c + "x=2", out var header);

        Assert.True(ok);
        Assert.Equal(2, header.MemberCount);
    }

    // "A key MUST begin with a lowercase letter or a digit": "_", "-", "*", "/" and "@" may only follow.
    [Theory]
    [MemberData(nameof(KeyCharsThatCannotComeFirst))]
    public void FirstCharacter_OtherKeyChar_DropsTheWholeHeader(char c)
    {
        var ok = TraceStateHeader.TryParse("bar=2," + c + "foo=1", out var header);

        Assert.False(ok);
        Assert.True(header.IsEmpty);
    }

    // Nothing outside keychar may appear in a key, at the first, a middle or the last position. Spaces, tabs
    // and commas before a key are OWS and separators, not part of it, so the first position leaves them out.
    [Theory]
    [MemberData(nameof(EveryCharOutsideKeyChar))]
    public void CharacterOutsideKeyChar_AnywhereInTheKey_DropsTheWholeHeader(char c)
    {
        var keys = new List<string> { "a" + c + "b", "ab" + c };
        if (c is not (' ' or '\t' or ','))
        {
            keys.Add(c + "ab");
        }

        foreach (var key in keys)
        {
            var ok = TraceStateHeader.TryParse("bar=2," + key + "=1", out var header);

            Assert.False(ok, $"U+{(int)c:X4} in '{key}'");
            Assert.True(header.IsEmpty);
        }
    }

    // Level 2 has no tenant@system split: "@" is a keychar, valid at every position but the first
    // (test_tracestate_key_illegal_vendor_format, test_tracestate_key_length_limit).
    [Theory]
    [InlineData("foo@", true)]
    [InlineData("f@", true)]
    [InlineData("0@", true)]
    [InlineData("t@vvvvvvvvvvvvvvv", true)]
    [InlineData("foo@bar", true)]
    [InlineData("foo@1bar", true)]
    [InlineData("foo@_bar", true)]
    [InlineData("foo@@bar", true)]
    [InlineData("foo@bar@baz", true)]
    [InlineData("@", false)]
    [InlineData("@foo", false)]
    [InlineData("foo@Bar", false)]
    public void AtSign_IsValidAfterTheFirstCharacter(string key, bool valid)
    {
        var ok = TraceStateHeader.TryParse(key + "=1,bar=2", out var header);

        Assert.Equal(valid, ok);
        Assert.Equal(valid ? key + "=1,bar=2" : null, header.Value);
    }

    // The conformance suite's keys with at signs within the 256-character limit, and one past it.
    [Theory]
    [InlineData(241, 14, true)]
    [InlineData(242, 1, true)]
    [InlineData(1, 15, true)]
    [InlineData(1, 254, true)]
    [InlineData(255, 0, true)]
    [InlineData(241, 15, false)]
    [InlineData(255, 1, false)]
    public void AtSign_CountsTowardThe256CharacterKey(int before, int after, bool valid)
    {
        var key = new string('t', before) + "@" + new string('v', after);

        var ok = TraceStateHeader.TryParse(new StringValues(["foo=1", key + "=1"]), out var header);

        Assert.Equal(valid, ok);
        Assert.Equal(valid ? 2 : 0, header.MemberCount);
    }

    // "Spaces and horizontal tabs surrounding list-members are ignored", and "Empty and whitespace-only
    // list members are allowed": every mix of OWS around members and empty members is the same list.
    [Fact]
    public void OwsAndEmptyMembers_AnywhereInTheList_AreIgnored()
    {
        string[] ows = ["", " ", "\t", " \t ", "\t\t"];
        foreach (var before in ows)
        {
            foreach (var after in ows)
            {
                var value = $"{before},{after}foo=1{after}{before},{before},{after}bar= 2{before},{after}";

                var ok = TraceStateHeader.TryParse(value, out var header);

                Assert.True(ok, value);
                Assert.Equal("foo=1,bar= 2", header.Value);
                Assert.Equal(2, header.MemberCount);
            }
        }
    }

    // "Tracestate MAY be sent or received as multiple header fields": they are one list, in the order
    // received (RFC 9110 field order), validated and counted as one. 32 members split at every point pass.
    [Fact]
    public void SeveralLines_SplitAtEveryPoint_AreOneListOf32InOrder()
    {
        var members = Members(TraceStateHeader.MaxMembers);
        for (var split = 0; split <= members.Length; split++)
        {
            var lines = new StringValues([string.Join(",", members[..split]), string.Join(",", members[split..])]);

            var ok = TraceStateHeader.TryParse(lines, out var header);

            Assert.True(ok, $"split at {split}");
            Assert.Equal(string.Join(",", members), header.Value);
            Assert.Equal(TraceStateHeader.MaxMembers, header.MemberCount);
        }
    }

    // "There can be a maximum of 32 list-members in a list", counted over the combined lines: 33 split at
    // any point, or across one line per member, drop the whole header (test_tracestate_member_count_limit).
    [Fact]
    public void SeveralLines_With33MembersInAll_DropTheWholeHeader()
    {
        var members = Members(TraceStateHeader.MaxMembers + 1);
        for (var split = 0; split <= members.Length; split++)
        {
            var lines = new StringValues([string.Join(",", members[..split]), string.Join(",", members[split..])]);

            var ok = TraceStateHeader.TryParse(lines, out var header);

            Assert.False(ok, $"split at {split}");
            Assert.True(header.IsEmpty);
        }

        Assert.False(TraceStateHeader.TryParse(new StringValues(members), out _));
    }

    // Empty lines and empty members are "allowed ... because it is difficult for a vendor to recognize the
    // empty value when multiple tracestate headers are sent"; they count toward no limit.
    [Fact]
    public void SeveralLines_EmptyLinesBetween32Members_AreIgnored()
    {
        var members = Members(TraceStateHeader.MaxMembers);
        var lines = new List<string?>();
        foreach (var member in members)
        {
            lines.AddRange(["", member, " ", null]);
        }

        var ok = TraceStateHeader.TryParse(new StringValues([.. lines]), out var header);

        Assert.True(ok);
        Assert.Equal(string.Join(",", members), header.Value);
    }

    // A duplicate across lines is not a grammar error: the list is inherited with both members.
    [Fact]
    public void SeveralLines_WithDuplicateKeys_AreKeptInOrder()
    {
        var ok = TraceStateHeader.TryParse(new StringValues(["foo=1,bar=2", "foo=3", "bar=2"]), out var header);

        Assert.True(ok);
        Assert.Equal("foo=1,bar=2,foo=3,bar=2", header.Value);
        Assert.Equal(4, header.MemberCount);
    }

    private static string[] Members(int count) =>
        Enumerable.Range(1, count).Select(i => $"k{i:00}@v=v{i}").ToArray();
}
