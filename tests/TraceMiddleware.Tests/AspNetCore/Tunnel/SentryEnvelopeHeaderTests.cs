using System.Text;
using System.Text.Json;
using TraceMiddleware.AspNetCore.Tunnel;
using TraceMiddleware.Testing;

namespace TraceMiddleware.Tests.AspNetCore.Tunnel;

public class SentryEnvelopeHeaderTests
{
    private const string Dsn = "https://publickey@o1.ingest.sentry.io/42";

    // What @sentry/browser 10.x writes as the first line of an envelope when its tunnel option is set.
    private const string BrowserHeader =
        "{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\",\"sent_at\":\"2025-06-01T12:00:00.000Z\","
        + "\"sdk\":{\"name\":\"sentry.javascript.browser\",\"version\":\"10.78.0\"},"
        + "\"trace\":{\"environment\":\"production\",\"public_key\":\"publickey\",\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\",\"sample_rate\":\"1\",\"sampled\":\"true\"},"
        + "\"dsn\":\"https://publickey@o1.ingest.sentry.io/42\"}";

    [Theory]
    [InlineData(BrowserHeader)]
    [InlineData("{\"dsn\":\"https://publickey@o1.ingest.sentry.io/42\"}")]
    [InlineData(" { \"dsn\" : \"https://publickey@o1.ingest.sentry.io/42\" } ")]
    [InlineData("{\"dsn\":\"https://publickey@o1.ingest.sentry.io/42\"}\r")]
    [InlineData("{\"d\\u0073n\":\"https:\\/\\/publickey@o1.ingest.sentry.io\\/42\"}")]
    [InlineData("{\"sdk\":{\"dsn\":\"https://evil@evil.example/1\"},\"dsn\":\"https://publickey@o1.ingest.sentry.io/42\",\"x\":[{\"dsn\":1}]}")]
    public void TryReadDsn_ValidHeader_ReturnsTheTopLevelDsn(string header)
    {
        var ok = SentryEnvelopeHeader.TryReadDsn(Encoding.UTF8.GetBytes(header), out var dsn, out var reason);

        Assert.True(ok, reason);
        Assert.Equal(Dsn, dsn);
    }

    [Theory]
    [InlineData("", "the envelope header is not valid JSON")]
    [InlineData("   ", "the envelope header is not valid JSON")]
    [InlineData("[]", "the envelope header is not a JSON object")]
    [InlineData("\"https://publickey@o1.ingest.sentry.io/42\"", "the envelope header is not a JSON object")]
    [InlineData("42", "the envelope header is not a JSON object")]
    [InlineData("null", "the envelope header is not a JSON object")]
    [InlineData("{}", "the envelope header has no dsn")]
    [InlineData("{\"sdk\":{\"dsn\":\"https://publickey@o1.ingest.sentry.io/42\"}}", "the envelope header has no dsn")]
    [InlineData("{\"DSN\":\"https://publickey@o1.ingest.sentry.io/42\"}", "the envelope header has no dsn")]
    [InlineData("{\"dsn\":\"\"}", "the envelope header has no dsn")]
    [InlineData("{\"dsn\":null}", "the envelope header's dsn is not a string")]
    [InlineData("{\"dsn\":42}", "the envelope header's dsn is not a string")]
    [InlineData("{\"dsn\":{\"url\":\"https://publickey@o1.ingest.sentry.io/42\"}}", "the envelope header's dsn is not a string")]
    [InlineData("{\"dsn\":[\"https://publickey@o1.ingest.sentry.io/42\"]}", "the envelope header's dsn is not a string")]
    [InlineData("{\"dsn\":\"https://a@b/1\",\"dsn\":\"https://publickey@o1.ingest.sentry.io/42\"}", "the envelope header has more than one dsn")]
    [InlineData("{\"dsn\":\"https://a@b/1\",\"d\\u0073n\":\"https://c@d/2\"}", "the envelope header has more than one dsn")]
    [InlineData("{\"dsn\":\"https://publickey@o1.ingest.sentry.io/42\"", "the envelope header is not valid JSON")]
    [InlineData("{\"dsn\":\"https://publickey@o1.ingest.sentry.io/42\"}}", "the envelope header is not valid JSON")]
    [InlineData("{\"dsn\":\"https://publickey@o1.ingest.sentry.io/42\"}{}", "the envelope header is not valid JSON")]
    [InlineData("{\"dsn\":\"https://publickey@o1.ingest.sentry.io/42\",}", "the envelope header is not valid JSON")]
    [InlineData("{'dsn':'https://publickey@o1.ingest.sentry.io/42'}", "the envelope header is not valid JSON")]
    [InlineData("{dsn:\"https://publickey@o1.ingest.sentry.io/42\"}", "the envelope header is not valid JSON")]
    [InlineData("{/*c*/\"dsn\":\"https://publickey@o1.ingest.sentry.io/42\"}", "the envelope header is not valid JSON")]
    [InlineData("{\"dsn\":\"https://publickey@o1.ingest.sentry.io/42\u0001\"}", "the envelope header is not valid JSON")]
    [InlineData("\u0001\u0002garbage", "the envelope header is not valid JSON")]
    [InlineData("dsn=https://publickey@o1.ingest.sentry.io/42", "the envelope header is not valid JSON")]
    public void TryReadDsn_NoSingleStringDsn_IsRefusedWithTheReason(string header, string expected)
    {
        var ok = SentryEnvelopeHeader.TryReadDsn(Encoding.UTF8.GetBytes(header), out var dsn, out var reason);

        Assert.False(ok);
        Assert.Null(dsn);
        Assert.Equal(expected, reason);
    }

    [Fact]
    public void TryReadDsn_InvalidUtf8_IsRefused()
    {
        byte[] header = [.. "{\"dsn\":\"https://publickey@o1.ingest.sentry.io/42"u8, 0xC3, 0x28, .. "\"}"u8];

        var ok = SentryEnvelopeHeader.TryReadDsn(header, out _, out var reason);

        Assert.False(ok);
        Assert.Equal("the envelope header is not valid JSON", reason);
    }

    [Fact]
    public void TryReadDsn_NestingAtTheLimit_IsRead_OnePastIsRefused()
    {
        static string Nested(int depth) =>
            "{\"dsn\":\"" + Dsn + "\",\"x\":" + new string('[', depth - 1) + new string(']', depth - 1) + "}";

        Assert.True(SentryEnvelopeHeader.TryReadDsn(Encoding.UTF8.GetBytes(Nested(SentryEnvelopeHeader.MaxDepth)), out _, out var reason), reason);
        Assert.False(SentryEnvelopeHeader.TryReadDsn(Encoding.UTF8.GetBytes(Nested(SentryEnvelopeHeader.MaxDepth + 1)), out _, out _));
    }

    [Fact]
    public void TryReadDsn_HeaderAtTheLengthLimit_IsRead_OnePastIsRefused()
    {
        var atLimit = HeaderOfLength(SentryEnvelopeHeader.MaxLength);
        var past = HeaderOfLength(SentryEnvelopeHeader.MaxLength + 1);

        Assert.True(SentryEnvelopeHeader.TryReadDsn(atLimit, out var dsn, out var reason), reason);
        Assert.Equal(Dsn, dsn);
        Assert.False(SentryEnvelopeHeader.TryReadDsn(past, out _, out reason));
        Assert.Equal($"the envelope header is longer than {SentryEnvelopeHeader.MaxLength} bytes", reason);
    }

    [Theory]
    [InlineData("{}\n{\"type\":\"transaction\"}\n{}", true, 2)]
    [InlineData("{}\n", true, 2)]
    [InlineData("{}", true, 2)]
    [InlineData("{}", false, -1)]
    [InlineData("\n{}", true, 0)]
    [InlineData("", true, 0)]
    public void TryFindLine_FindsTheFirstNewline_OrTheEndOfACompleteBody(string envelope, bool complete, int expected)
    {
        var ok = SentryEnvelopeHeader.TryFindLine(Encoding.UTF8.GetBytes(envelope), complete, out var length);

        Assert.Equal(expected >= 0, ok);
        if (ok)
        {
            Assert.Equal(expected, length);
        }
    }

    [Fact]
    public void TryFindLine_NewlineAtTheLimit_IsFound_OnePastIsNot()
    {
        var atLimit = new byte[SentryEnvelopeHeader.MaxLength + 1];
        atLimit.AsSpan().Fill((byte)' ');
        atLimit[^1] = (byte)'\n';
        var past = new byte[SentryEnvelopeHeader.MaxLength + 2];
        past.AsSpan().Fill((byte)' ');
        past[^1] = (byte)'\n';

        Assert.True(SentryEnvelopeHeader.TryFindLine(atLimit, complete: true, out var length));
        Assert.Equal(SentryEnvelopeHeader.MaxLength, length);
        Assert.False(SentryEnvelopeHeader.TryFindLine(past, complete: true, out _));
        Assert.False(SentryEnvelopeHeader.TryFindLine(past.AsSpan(0, past.Length - 1), complete: true, out _));
    }

    [Fact]
    public void TryReadDsn_RandomAndNearMissInputs_NeverThrow_AndAgreeWithJsonDocument()
    {
        var random = new Random(20_250_808);
        string[] seeds =
        [
            BrowserHeader,
            "{\"dsn\":\"https://publickey@o1.ingest.sentry.io/42\"}",
            "{\"sdk\":{\"dsn\":\"x\"},\"dsn\":\"http://k@h:1/p/2\",\"a\":[1,2.5e3,true,null,\"\\u0041\"]}",
        ];
        const string alphabet = "{}[]\":,\\ \t\r\n0123456789.eE+-truefalsnu\u0000\u0001dsnDSN/@:éÿ\u2028\ud800";
        var accepted = 0;

        for (var i = 0; i < 20_000; i++)
        {
            var text = random.Next(3) == 0 ? FuzzText.Random(random, alphabet, 40) : Mutate(random, seeds[random.Next(seeds.Length)], alphabet);
            var bytes = random.Next(10) == 0 ? RandomBytes(random) : Encoding.UTF8.GetBytes(text);

            var ok = SentryEnvelopeHeader.TryReadDsn(bytes, out var dsn, out var reason);

            var expected = Oracle(bytes, out var expectedDsn);
            Assert.True(expected == ok, $"'{text}': JsonDocument says {expected}, the reader {ok} ({reason})");
            if (!ok)
            {
                Assert.Null(dsn);
                Assert.False(string.IsNullOrEmpty(reason));
                continue;
            }

            accepted++;
            Assert.Equal(expectedDsn, dsn);
            var again = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["dsn"] = dsn! });
            Assert.True(SentryEnvelopeHeader.TryReadDsn(again, out var back, out _));
            Assert.Equal(dsn, back);
        }

        Assert.InRange(accepted, 100, 19_900);
    }

    private static bool Oracle(byte[] header, out string? dsn)
    {
        dsn = null;
        try
        {
            using var document = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = SentryEnvelopeHeader.MaxDepth });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            var count = 0;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.NameEquals("dsn"))
                {
                    count++;
                    dsn = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
                }
            }

            return count == 1 && !string.IsNullOrEmpty(dsn);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            return false;
        }
    }

    private static byte[] HeaderOfLength(int length)
    {
        var start = "{\"dsn\":\"" + Dsn + "\",\"pad\":\"";
        return Encoding.UTF8.GetBytes(start + new string('x', length - start.Length - 2) + "\"}");
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 40)];
        random.NextBytes(bytes);
        return bytes;
    }

    private static string Mutate(Random random, string seed, string alphabet)
    {
        var text = new StringBuilder(seed);
        var edits = random.Next(0, 4);
        for (var e = 0; e < edits; e++)
        {
            var at = random.Next(text.Length + 1);
            switch (random.Next(4))
            {
                case 0 when at < text.Length:
                    text.Remove(at, 1);
                    break;
                case 1 when at < text.Length:
                    text[at] = alphabet[random.Next(alphabet.Length)];
                    break;
                case 2:
                    text.Insert(at, alphabet[random.Next(alphabet.Length)]);
                    break;
                default:
                    text.Insert(at, random.Next(2) == 0 ? ",\"dsn\":\"http://k@h/1\"" : "{\"dsn\":");
                    break;
            }
        }

        return text.ToString();
    }
}
