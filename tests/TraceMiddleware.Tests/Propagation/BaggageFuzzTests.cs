using System.Text;
using Microsoft.Extensions.Primitives;
using TraceMiddleware.Propagation;

namespace TraceMiddleware.Tests.Propagation;

public class BaggageFuzzTests
{
    private const int Iterations = 12_000;

    // Weighted towards the characters the grammar cares about, plus ones it must survive.
    private const string Alphabet = ",,,,====%%%%;;  \t\r\n\0\u007f0123456789abcdefABCDEFxyz+-_.!~*'()@/é€日\uD83D\uDE00\uD800\uDC00\u00a0\u3000";

    private static readonly string[] Splices =
        [",", "=", "%", "%C3", "%C3%A9", "%zz", "%E2%82", "%F0%9F%98%80", "sentry-", ";p=1", " ", "\t", "==", ",,", "\uD83D", "\r\n"];

    [Fact]
    public void Parse_RandomAndMutatedHeaders_NeverThrowsAndRoundTrips()
    {
        var random = new Random(8192);
        var accepted = 0;
        for (var n = 0; n < Iterations; n++)
        {
            var input = n % 2 == 0 ? RandomString(random) : Mutate(random, ValidHeader(random));

            var baggage = Baggage.Parse(input);
            accepted += baggage.Count > 0 ? 1 : 0;
            var text = baggage.ToString();
            var reparsed = Baggage.Parse(text);

            Assert.Equal(baggage.Count > 0, Baggage.TryParse(input, out _));
            Assert.True(text.Length <= Baggage.MaxBytes);
            Assert.All(text, c => Assert.True(c > ' ' && c < '\u007f', $"'{c}' in output of '{input}'"));
            Assert.Equal(ToPairs(baggage), ToPairs(reparsed));
            Assert.Equal(text, reparsed.ToString());
        }

        // The round-trip property only means something if plenty of inputs produce members.
        Assert.InRange(accepted, Iterations / 3, Iterations - 1);
    }

    [Fact]
    public void BaggageReader_RandomAndMutatedHeaders_NeverThrowsAndYieldsDecodableMembers()
    {
        var random = new Random(180);
        var buffer = new char[1024];
        for (var n = 0; n < Iterations; n++)
        {
            var input = n % 2 == 0 ? RandomString(random) : Mutate(random, ValidHeader(random));

            var reader = new BaggageReader(input);
            while (reader.MoveNext())
            {
                Assert.False(reader.RawKey.IsEmpty);
                Assert.False(reader.RawValue.IsEmpty);
                Assert.True(reader.TryDecodeKey(buffer, out var keyLength) && keyLength > 0);
                Assert.True(reader.TryDecodeValue(buffer, out var valueLength) && valueLength > 0);
            }

            Assert.True(reader.Count <= Baggage.MaxMembers);
        }
    }

    [Fact]
    public void ParseStringValues_RandomHeaderSets_EqualParsingThemJoinedByCommas()
    {
        var random = new Random(3);
        for (var n = 0; n < Iterations; n++)
        {
            var values = new string[random.Next(1, 4)];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = random.Next(3) == 0 ? RandomString(random) : Mutate(random, ValidHeader(random));
            }

            var merged = Baggage.Parse(new StringValues(values));
            var joined = Baggage.Parse(string.Join(',', values));

            Assert.Equal(ToPairs(joined), ToPairs(merged));
        }
    }

    [Fact]
    public void DynamicSamplingContext_FromRandomBaggage_RoundTripsTheSentryMembers()
    {
        var random = new Random(42);
        for (var n = 0; n < Iterations; n++)
        {
            var baggage = Baggage.Parse(Mutate(random, ValidHeader(random)));

            var dsc = DynamicSamplingContext.FromBaggage(baggage);
            var back = Baggage.Parse(dsc.ToString());

            Assert.Equal(ToPairs(baggage.SentryMembers()), ToPairs(back));
            Assert.Equal(baggage.SentryMembers().Count == 0, dsc.IsEmpty);
        }
    }

    [Fact]
    public void BuildOutgoing_RandomInputs_NeverThrowsAndStaysAValidSafeHeader()
    {
        var random = new Random(2024);
        var sent = 0;
        for (var n = 0; n < Iterations; n++)
        {
            var app = random.Next(4) switch
            {
                0 => null,
                1 => RandomString(random),
                _ => Mutate(random, ValidHeader(random)),
            };
            var incoming = Baggage.Parse(Mutate(random, ValidHeader(random)));
            var dsc = random.Next(3) == 0 ? null : DynamicSamplingContext.FromBaggage(incoming);
            var thirdParty = random.Next(3) == 0 ? null : incoming.ThirdPartyMembers();

            var result = Baggage.BuildOutgoing(app, dsc, thirdParty);

            if (result is null)
            {
                continue;
            }

            sent++;
            Assert.True(result.Length is > 0 and <= Baggage.MaxBytes);
            Assert.All(result, c => Assert.True(c >= ' ' && c < '\u007f', $"'{c}' in output for '{app}'"));
            var reader = new BaggageReader(result);
            var count = 0;
            while (reader.MoveNext())
            {
                count++;
            }

            Assert.Equal(result.Split(',').Length, count);
            if (dsc is { IsEmpty: false })
            {
                var received = DynamicSamplingContext.FromBaggage(Baggage.Parse(result));
                Assert.Equal(dsc.Entries, received.Entries);
            }
        }

        Assert.InRange(sent, Iterations / 2, Iterations);
    }

    private static List<(string, string)> ToPairs(Baggage baggage)
    {
        var pairs = new List<(string, string)>(baggage.Count);
        foreach (var member in baggage)
        {
            pairs.Add((member.Key, member.Value));
        }

        return pairs;
    }

    private static string RandomString(Random random)
    {
        var chars = new char[random.Next(0, 80)];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = random.Next(10) == 0 ? (char)random.Next(0, 0x10000) : Alphabet[random.Next(Alphabet.Length)];
        }

        return new string(chars);
    }

    private static string ValidHeader(Random random)
    {
        if (random.Next(4) == 0)
        {
            return BaggageTests.RealJsHeader;
        }

        var members = new List<BaggageMember>();
        var count = random.Next(1, 8);
        for (var i = 0; i < count; i++)
        {
            var key = (random.Next(2) == 0 ? "sentry-" : string.Empty) + PercentEncodingTests.RandomValidString(random, random.Next(1, 6));
            var value = PercentEncodingTests.RandomValidString(random, random.Next(1, 12));
            members.Add(new BaggageMember(key, value));
        }

        return new Baggage(members).ToString();
    }

    private static string Mutate(Random random, string valid)
    {
        var text = new StringBuilder(valid);
        var edits = random.Next(0, 4);
        for (var e = 0; e < edits; e++)
        {
            var at = text.Length == 0 ? 0 : random.Next(text.Length);
            switch (random.Next(6))
            {
                case 0 when text.Length > 0:
                    text.Remove(at, 1);
                    break;
                case 1 when text.Length > 0:
                    text[at] = Alphabet[random.Next(Alphabet.Length)];
                    break;
                case 2:
                    text.Insert(at, Splices[random.Next(Splices.Length)]);
                    break;
                case 3 when text.Length > 0:
                    text.Length = at;
                    break;
                case 4:
                    var copy = text.ToString();
                    text.Insert(at, copy[random.Next(copy.Length + 1)..]);
                    break;
                default:
                    text.Insert(at, Alphabet[random.Next(Alphabet.Length)]);
                    break;
            }
        }

        return text.ToString();
    }
}
