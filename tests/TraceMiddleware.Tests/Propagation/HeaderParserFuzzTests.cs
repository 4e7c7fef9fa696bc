using System.Text;
using System.Text.RegularExpressions;
using TraceMiddleware.Propagation;

namespace TraceMiddleware.Tests.Propagation;

/// <summary>
/// Seeded random and near-miss inputs for every header parser: none may throw, each must agree with an
/// independent regular-expression reference, and whatever is accepted must format to text that parses
/// back to the same value.
/// </summary>
public class HeaderParserFuzzTests
{
    private const int Iterations = 20_000;

    // Characters that matter to the grammars, their near misses, and a few that no grammar allows.
    private const string Alphabet =
        "0123456789abcdef0123456789abcdefABCDEFgxz-----  \t\t,,==@@_*/;.~!\"\n\r\0\u007f\u00a0\u00e9\u0660\uff41";

    private static readonly Regex s_traceParentReference = new(
        @"^[ \t]*(?<v>[0-9a-f]{2})-(?<t>[0-9a-f]{32})-(?<p>[0-9a-f]{16})-(?<f>[0-9a-f]{2})(?<rest>[\s\S]*?)[ \t]*\z",
        RegexOptions.CultureInvariant);

    private static readonly Regex s_traceStateMember = new(
        @"^(?<k>[a-z0-9][a-z0-9_\-*/@]{0,255})"
        + @"=[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]\z",
        RegexOptions.CultureInvariant);

    [Fact]
    public void SentryTrace_RandomAndNearMissInputs_AgreeWithTheJsRegexAndRoundTrip()
    {
        var random = new Random(20_251_001);
        var accepted = 0;

        for (var i = 0; i < Iterations; i++)
        {
            var value = NextInput(random, ValidSentryTrace);

            var ok = SentryTraceHeader.TryParse(value, out var header);

            var expected = SentryTraceRegexOracle.TryParse(value, out var traceId, out var spanId, out var sampled);
            Assert.True(expected == ok, $"'{Escape(value)}': the JS regex says {expected}, the parser {ok}");
            if (!ok)
            {
                Assert.Equal(default, header);
                continue;
            }

            accepted++;
            Assert.Equal(traceId, header.TraceId.ToHexString());
            Assert.Equal(spanId is not null, header.HasSpanId);
            Assert.Equal(sampled, header.Sampled);
            var text = header.ToString();
            Assert.True(SentryTraceHeader.TryParse(text, out var back), $"'{Escape(value)}' formatted as '{text}'");
            Assert.Equal(header, back);
        }

        AssertBothOutcomesWereExercised(accepted);
    }

    [Fact]
    public void TraceParent_RandomAndNearMissInputs_AgreeWithTheReferenceAndRoundTrip()
    {
        var random = new Random(20_251_002);
        var accepted = 0;

        for (var i = 0; i < Iterations; i++)
        {
            var value = NextInput(random, ValidTraceParent);

            var ok = TraceParentHeader.TryParse(value, out var header);

            var expected = TraceParentReference(value);
            Assert.True(expected == ok, $"'{Escape(value)}': the reference says {expected}, the parser {ok}");
            if (!ok)
            {
                Assert.Equal(default, header);
                continue;
            }

            accepted++;
            var text = header.ToString();
            Assert.True(TraceParentHeader.TryParse(text, out var back), $"'{Escape(value)}' formatted as '{text}'");
            Assert.Equal(header.TraceIdValue, back.TraceIdValue);
            Assert.Equal(header.ParentIdValue, back.ParentIdValue);
            Assert.Equal(header.Sampled, back.Sampled);
            Assert.Equal(text, back.ToString());
            if (header.Version == TraceParentHeader.CurrentVersion && (byte)header.Flags <= 1)
            {
                // Only a later version and unknown flag bits are not written back.
                Assert.Equal(header, back);
            }
        }

        AssertBothOutcomesWereExercised(accepted);
    }

    [Fact]
    public void TraceState_RandomAndNearMissInputs_AgreeWithTheReferenceAndRoundTrip()
    {
        var random = new Random(20_251_003);
        var accepted = 0;

        for (var i = 0; i < Iterations; i++)
        {
            var value = NextInput(random, ValidTraceState);

            var ok = TraceStateHeader.TryParse(value.AsSpan(), out var header);
            var okFromString = TraceStateHeader.TryParse(value, out var fromString);

            var expected = TraceStateReference(value, out var normalized, out var members);
            Assert.True(expected == ok, $"'{Escape(value)}': the reference says {expected}, the parser {ok}");
            Assert.Equal(ok, okFromString);
            Assert.Equal(header, fromString);
            if (!ok)
            {
                Assert.True(header.IsEmpty);
                continue;
            }

            accepted++;
            Assert.Equal(normalized, header.Value);
            Assert.Equal(members, header.MemberCount);
            var text = header.ToString();
            Assert.True(TraceStateHeader.TryParse(text, out var back), $"'{Escape(value)}' formatted as '{text}'");
            Assert.Equal(header, back);
            Assert.Equal(header.MemberCount, back.MemberCount);
            if (!back.IsEmpty)
            {
                Assert.Same(text, back.Value);
            }
        }

        AssertBothOutcomesWereExercised(accepted);
    }

    [Fact]
    public void TraceState_RandomSplitsIntoLines_ParseLikeTheJoinedValue()
    {
        var random = new Random(20_251_004);

        for (var i = 0; i < Iterations / 2; i++)
        {
            var value = NextInput(random, ValidTraceState);
            var lines = value.Split(',');

            var joinedOk = TraceStateHeader.TryParse(value, out var joined);
            var linesOk = TraceStateHeader.TryParse((IReadOnlyList<string>)lines, out var fromLines);

            Assert.Equal(joinedOk, linesOk);
            Assert.Equal(joined, fromLines);
        }
    }

    private static string NextInput(Random random, Func<Random, string> valid)
    {
        switch (random.Next(10))
        {
            case 0:
            case 1:
                return RandomString(random, random.Next(0, 80));
            case 2:
            case 3:
                return valid(random);
            default:
                var value = valid(random);
                var mutations = random.Next(1, 4);
                for (var m = 0; m < mutations; m++)
                {
                    value = Mutate(random, value);
                }

                return value;
        }
    }

    private static string Mutate(Random random, string value)
    {
        var at = value.Length == 0 ? 0 : random.Next(value.Length);
        switch (random.Next(10))
        {
            case 0 when value.Length > 0:
                return string.Concat(value.AsSpan(0, at), RandomChar(random).ToString(), value.AsSpan(at + 1));
            case 1:
                return value.Insert(random.Next(value.Length + 1), RandomChar(random).ToString());
            case 2 when value.Length > 0:
                return value.Remove(at, 1);
            case 3 when value.Length > 0:
                var c = value[at];
                var changed = char.IsUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c);
                return string.Concat(value.AsSpan(0, at), changed.ToString(), value.AsSpan(at + 1));
            case 4:
                return value.ToUpperInvariant();
            case 5:
                return value[..random.Next(value.Length + 1)];
            case 6 when value.Length > 0:
                var length = random.Next(1, Math.Min(20, value.Length - at) + 1);
                return value.Insert(at, value.Substring(at, length));
            case 7 when value.Length > 1:
                var i = random.Next(value.Length - 1);
                var chars = value.ToCharArray();
                (chars[i], chars[i + 1]) = (chars[i + 1], chars[i]);
                return new string(chars);
            case 8:
                string[] edges = [" ", "\t", " \t", "\n", "\r\n", "\u00a0", ","];
                return edges[random.Next(edges.Length)] + value + edges[random.Next(edges.Length)];
            default:
                return value + value[..random.Next(value.Length + 1)];
        }
    }

    private static string ValidSentryTrace(Random random)
    {
        var builder = new StringBuilder();
        builder.Append(Ows(random));
        builder.Append(Hex(random, 32));
        var dash = random.Next(4) != 0;
        if (dash)
        {
            builder.Append('-');
        }

        if (random.Next(5) != 0)
        {
            builder.Append(Hex(random, 16));
            if (random.Next(4) != 0)
            {
                builder.Append('-');
            }
        }
        else if (dash && random.Next(2) == 0)
        {
            builder.Append('-');
        }

        switch (random.Next(3))
        {
            case 0:
                builder.Append('1');
                break;
            case 1:
                builder.Append('0');
                break;
        }

        builder.Append(Ows(random));
        return builder.ToString();
    }

    private static string ValidTraceParent(Random random)
    {
        string[] versions = ["00", "00", "00", "01", "cc", "fe"];
        var version = versions[random.Next(versions.Length)];
        var value = $"{Ows(random)}{version}-{Hex(random, 32)}-{Hex(random, 16)}-{random.Next(256):x2}";
        if (version != "00" && random.Next(2) == 0)
        {
            value += "-" + RandomString(random, random.Next(0, 20)).Replace('\n', '.');
        }

        return value + Ows(random);
    }

    private static string ValidTraceState(Random random)
    {
        var members = random.Next(4) == 0 ? random.Next(28, 34) : random.Next(0, 6);
        var builder = new StringBuilder();
        for (var i = 0; i < members; i++)
        {
            if (i > 0)
            {
                builder.Append(Ows(random)).Append(',').Append(Ows(random));
                if (random.Next(8) == 0)
                {
                    builder.Append(',').Append(Ows(random));
                }
            }

            // Keys near the length limit, with and without "@", and now and then a duplicate (which is valid).
            builder.Append(random.Next(10) == 0 ? "dup" : TraceStateKey(random)).Append('=').Append(TraceStateValue(random));
        }

        if (random.Next(8) == 0)
        {
            builder.Append(',');
        }

        return builder.ToString();
    }

    // Level 2 keys: a lowercase letter or digit, then key characters with "@" among them, near 256 now and then.
    private static string TraceStateKey(Random random)
    {
        const string keyChars = "abcdefghijklmnopqrstuvwxyz0123456789_-*/@";
        var length = random.Next(8) != 0 ? random.Next(1, 10) : random.Next(254, 259);
        return RandomFrom(random, "abcdefghijklmnopqrstuvwxyz0123456789", 1) + RandomFrom(random, keyChars, length - 1);
    }

    private static string TraceStateValue(Random random)
    {
        const string nonBlank = "!\"#$%&'()*+-./0123456789:;<>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";
        var length = random.Next(8) != 0 ? random.Next(1, 12) : random.Next(254, 259);
        return RandomFrom(random, nonBlank + "    ", length - 1) + RandomFrom(random, nonBlank, 1);
    }

    private static bool TraceParentReference(string value)
    {
        var match = s_traceParentReference.Match(value);
        if (!match.Success)
        {
            return false;
        }

        var version = match.Groups["v"].Value;
        var rest = match.Groups["rest"].Value;
        return version != "ff"
            && (rest.Length == 0 || (version != "00" && rest[0] == '-'))
            && match.Groups["t"].Value != new string('0', 32)
            && match.Groups["p"].Value != new string('0', 16);
    }

    private static bool TraceStateReference(string value, out string? normalized, out int memberCount)
    {
        normalized = null;
        memberCount = 0;
        var members = new List<string>();
        foreach (var raw in value.Split(','))
        {
            var member = raw.Trim(' ', '\t');
            if (member.Length == 0)
            {
                continue;
            }

            var match = s_traceStateMember.Match(member);
            if (!match.Success)
            {
                return false;
            }

            members.Add(member);
        }

        if (members.Count > TraceStateHeader.MaxMembers)
        {
            return false;
        }

        memberCount = members.Count;
        normalized = members.Count == 0 ? null : string.Join(',', members);
        return true;
    }

    private static void AssertBothOutcomesWereExercised(int accepted)
    {
        Assert.InRange(accepted, Iterations / 10, Iterations - (Iterations / 10));
    }

    private static string Ows(Random random)
    {
        string[] choices = ["", "", "", " ", "\t", " \t "];
        return choices[random.Next(choices.Length)];
    }

    private static string Hex(Random random, int length) => RandomFrom(random, "0123456789abcdef", length);

    private static string RandomFrom(Random random, string chars, int length)
    {
        var result = new char[length];
        for (var i = 0; i < length; i++)
        {
            result[i] = chars[random.Next(chars.Length)];
        }

        return new string(result);
    }

    private static string RandomString(Random random, int length)
    {
        var result = new char[length];
        for (var i = 0; i < length; i++)
        {
            result[i] = RandomChar(random);
        }

        return new string(result);
    }

    private static char RandomChar(Random random) => random.Next(8) switch
    {
        0 => (char)random.Next(0x80),
        1 => (char)random.Next(char.MaxValue + 1),
        _ => Alphabet[random.Next(Alphabet.Length)],
    };

    private static string Escape(string value) =>
        value.Replace("\t", "\\t", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)
            .Replace("\r", "\\r", StringComparison.Ordinal);
}
