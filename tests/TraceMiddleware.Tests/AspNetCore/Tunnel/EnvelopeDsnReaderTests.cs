using System.IO.Compression;
using System.Text;
using TraceMiddleware.AspNetCore.Tunnel;

namespace TraceMiddleware.Tests.AspNetCore.Tunnel;

public class EnvelopeDsnReaderTests
{
    private const string Dsn = "https://publickey@o1.ingest.sentry.io/42";
    private const string Header = "{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\",\"dsn\":\"" + Dsn + "\"}";
    private const string Envelope = Header + "\n{\"type\":\"transaction\"}\n{\"type\":\"transaction\",\"transaction\":\"/\"}";

    [Theory]
    [InlineData(null)]
    [InlineData("identity")]
    [InlineData("gzip")]
    [InlineData("GZIP")]
    [InlineData("x-gzip")]
    [InlineData("deflate")]
    [InlineData("br")]
    public void TryReadDsn_EveryEncoding_ReadsTheHeaderDsn(string? encoding)
    {
        var body = Encode(Encoding.UTF8.GetBytes(Envelope), encoding);

        var ok = EnvelopeDsnReader.TryReadDsn(body, encoding, out var dsn, out var reason);

        Assert.True(ok, reason);
        Assert.Equal(Dsn, dsn);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("gzip")]
    public void TryReadDsn_HeaderOnlyEnvelope_WithoutNewline_IsRead(string? encoding)
    {
        var ok = EnvelopeDsnReader.TryReadDsn(Encode(Encoding.UTF8.GetBytes(Header), encoding), encoding, out var dsn, out _);

        Assert.True(ok);
        Assert.Equal(Dsn, dsn);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("gzip")]
    public void TryReadDsn_HeaderLineAtTheLimit_IsRead_OnePastIsRefused(string? encoding)
    {
        var atLimit = Encode(HeaderLine(SentryEnvelopeHeader.MaxLength, "\n{}"), encoding);
        var past = Encode(HeaderLine(SentryEnvelopeHeader.MaxLength + 1, "\n{}"), encoding);
        var pastNoNewline = Encode(HeaderLine(SentryEnvelopeHeader.MaxLength + 1, string.Empty), encoding);

        Assert.True(EnvelopeDsnReader.TryReadDsn(atLimit, encoding, out _, out var reason), reason);
        Assert.False(EnvelopeDsnReader.TryReadDsn(past, encoding, out _, out reason));
        Assert.Equal($"the envelope header is longer than {SentryEnvelopeHeader.MaxLength} bytes", reason);
        Assert.False(EnvelopeDsnReader.TryReadDsn(pastNoNewline, encoding, out _, out _));
    }

    [Fact]
    public void TryReadDsn_HugeGzipBody_DecompressesOnlyTheHeaderLine()
    {
        // 64 MiB once decompressed: reading it all would take seconds and the memory of the whole body.
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(Header + "\n"));
            var zeros = new byte[1024 * 1024];
            for (var i = 0; i < 64; i++)
            {
                gzip.Write(zeros);
            }
        }

        var ok = EnvelopeDsnReader.TryReadDsn(compressed.ToArray(), "gzip", out var dsn, out _);

        Assert.True(ok);
        Assert.Equal(Dsn, dsn);
    }

    [Theory]
    [InlineData("gzip", "the body is not valid gzip")]
    [InlineData("deflate", "the body is not valid deflate")]
    [InlineData("br", "the body is not valid br")]
    public void TryReadDsn_BodyThatIsNotWhatItsEncodingSays_IsRefused(string encoding, string expected)
    {
        var ok = EnvelopeDsnReader.TryReadDsn(Encoding.UTF8.GetBytes(Envelope), encoding, out var dsn, out var reason);

        Assert.False(ok);
        Assert.Null(dsn);
        Assert.Equal(expected, reason);
    }

    [Fact]
    public void TryReadDsn_RandomAndCorruptedBodies_NeverThrow_InAnyEncoding()
    {
        var random = new Random(20_250_811);
        string?[] encodings = [null, "gzip", "deflate", "br"];
        var valid = encodings.Select(e => Encode(Encoding.UTF8.GetBytes(Envelope), e)).ToArray();
        var accepted = 0;

        for (var i = 0; i < 20_000; i++)
        {
            var which = random.Next(encodings.Length);
            byte[] body;
            if (random.Next(3) == 0)
            {
                body = new byte[random.Next(0, 64)];
                random.NextBytes(body);
            }
            else
            {
                body = (byte[])valid[which].Clone();
                var flips = random.Next(0, 3);
                for (var f = 0; f < flips; f++)
                {
                    body[random.Next(body.Length)] ^= (byte)(1 << random.Next(8));
                }

                if (random.Next(4) == 0)
                {
                    body = body[..random.Next(body.Length + 1)];
                }
            }

            var ok = EnvelopeDsnReader.TryReadDsn(body, encodings[which], out var dsn, out var reason);

            if (ok)
            {
                accepted++;
                Assert.False(string.IsNullOrEmpty(dsn));
                Assert.Null(reason);
            }
            else
            {
                Assert.Null(dsn);
                Assert.False(string.IsNullOrEmpty(reason));
            }
        }

        Assert.InRange(accepted, 100, 19_900);
    }

    [Theory]
    [InlineData("zstd")]
    [InlineData("gzip, br")]
    [InlineData("compress")]
    public void TryReadDsn_UnsupportedEncoding_IsRefused(string encoding)
    {
        Assert.False(EnvelopeDsnReader.TryReadDsn(Encoding.UTF8.GetBytes(Envelope), encoding, out _, out _));
    }

    private static byte[] HeaderLine(int length, string rest)
    {
        var start = "{\"dsn\":\"" + Dsn + "\",\"pad\":\"";
        return Encoding.UTF8.GetBytes(start + new string('x', length - start.Length - 2) + "\"}" + rest);
    }

    private static byte[] Encode(byte[] data, string? encoding)
    {
        if (encoding is null or "identity")
        {
            return data;
        }

        using var output = new MemoryStream();
        using (Stream encoder = encoding.ToLowerInvariant() switch
        {
            "deflate" => new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true),
            "br" => new BrotliStream(output, CompressionLevel.Optimal, leaveOpen: true),
            _ => new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true),
        })
        {
            encoder.Write(data);
        }

        return output.ToArray();
    }
}
