using TraceMiddleware.Configuration;
using TraceMiddleware.Export.Sentry;
using TraceMiddleware.Testing;

namespace TraceMiddleware.Tests.Export.Sentry;

public class SentryDsnTests
{
    private const int Iterations = 12_000;

    private static readonly string[] ValidSeeds =
    [
        "https://publickey@o123.ingest.sentry.io/42",
        "http://publickey@127.0.0.1:8969/0",
        "https://k@host/sub/path/42",
        "https://k:secret@[::1]:9000/7",
    ];

    [Theory]
    [InlineData("https://publickey@o123.ingest.sentry.io/42", "https://o123.ingest.sentry.io/api/42/envelope/", "publickey", "42", "123")]
    [InlineData("https://publickey@o1.ingest.us.sentry.io/4508404727283713", "https://o1.ingest.us.sentry.io/api/4508404727283713/envelope/", "publickey", "4508404727283713", "1")]
    [InlineData("http://publickey@127.0.0.1:8969/0", "http://127.0.0.1:8969/api/0/envelope/", "publickey", "0", null)]
    [InlineData("https://k@host/sub/path/42", "https://host/sub/path/api/42/envelope/", "k", "42", null)]
    [InlineData("https://k@host:8443/42", "https://host:8443/api/42/envelope/", "k", "42", null)]
    [InlineData("https://k@host:443/42", "https://host/api/42/envelope/", "k", "42", null)]
    [InlineData("http://k@host:80/42", "http://host/api/42/envelope/", "k", "42", null)]
    [InlineData("https://k:secret@host/42", "https://host/api/42/envelope/", "k", "42", null)]
    [InlineData("  https://k@host/42  ", "https://host/api/42/envelope/", "k", "42", null)]
    [InlineData("https://k@host/42/", "https://host/api/42/envelope/", "k", "42", null)]
    [InlineData("https://k@[::1]:9000/7", "https://[::1]:9000/api/7/envelope/", "k", "7", null)]
    [InlineData("HTTPS://Key@HOST.Example/42", "https://host.example/api/42/envelope/", "Key", "42", null)]
    [InlineData("https://k%40x@host/42", "https://host/api/42/envelope/", "k@x", "42", null)]
    [InlineData("https://k@o.ingest.sentry.io/42", "https://o.ingest.sentry.io/api/42/envelope/", "k", "42", null)]
    [InlineData("https://k@oabc.ingest.sentry.io/42", "https://oabc.ingest.sentry.io/api/42/envelope/", "k", "42", null)]
    [InlineData("https://k@xo1.ingest.sentry.io/42", "https://xo1.ingest.sentry.io/api/42/envelope/", "k", "42", null)]
    [InlineData("https://k@o12/42", "https://o12/api/42/envelope/", "k", "42", null)]
    public void TryParse_ValidDsn_GivesEndpointKeyProjectAndOrg(string dsn, string endpoint, string key, string project, string? org)
    {
        var ok = SentryDsn.TryParse(dsn, out var parsed, out var error);

        Assert.True(ok, error);
        Assert.Null(error);
        Assert.Equal(endpoint, parsed!.EnvelopeEndpoint.AbsoluteUri);
        Assert.Equal(key, parsed.PublicKey);
        Assert.Equal(project, parsed.ProjectId);
        Assert.Equal(org, parsed.OrgId);
        Assert.Equal(dsn, parsed.Original);
        Assert.Equal(dsn, parsed.ToString());
    }

    [Theory]
    [InlineData(null, "empty")]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("publickey@host/42", "not an absolute URL")]
    [InlineData("/42", "not an absolute URL")]
    [InlineData("host/42", "not an absolute URL")]
    [InlineData("not a url", "not an absolute URL")]
    [InlineData("https://k@/42", "not an absolute URL")]
    [InlineData("https://k@ho st/42", "not an absolute URL")]
    [InlineData("ftp://k@host/42", "scheme 'ftp' is not http or https")]
    [InlineData("file:///k@host/42", "scheme 'file' is not http or https")]
    [InlineData("ws://k@host/42", "scheme 'ws' is not http or https")]
    [InlineData("https://host/42", "no public key")]
    [InlineData("https://@host/42", "no public key")]
    [InlineData("https://:secret@host/42", "no public key")]
    [InlineData("https://k@host", "no numeric project id")]
    [InlineData("https://k@host/", "no numeric project id")]
    [InlineData("https://k@host/abc", "no numeric project id")]
    [InlineData("https://k@host/42a", "no numeric project id")]
    [InlineData("https://k@host/-1", "no numeric project id")]
    [InlineData("https://k@host/4%202", "no numeric project id")]
    [InlineData("https://k@host/42/abc", "no numeric project id")]
    [InlineData("https://k@host/42?x=1", "query or fragment")]
    [InlineData("https://k@host/42?", "query or fragment")]
    [InlineData("https://k@host/42#top", "query or fragment")]
    public void TryParse_InvalidDsn_FailsWithAClearReason(string? dsn, string reason)
    {
        var ok = SentryDsn.TryParse(dsn, out var parsed, out var error);

        Assert.False(ok);
        Assert.Null(parsed);
        Assert.NotNull(error);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_InvalidDsn_ThrowsFormatExceptionWithTheReason()
    {
        var exception = Assert.Throws<FormatException>(() => SentryDsn.Parse("ftp://k@host/42"));

        Assert.Equal("Invalid Sentry DSN: the DSN scheme 'ftp' is not http or https.", exception.Message);
    }

    [Fact]
    public void Parse_ValidDsn_ReturnsIt()
    {
        var dsn = SentryDsn.Parse("https://k@host/42");

        Assert.Equal("https://host/api/42/envelope/", dsn.EnvelopeEndpoint.AbsoluteUri);
    }

    [Fact]
    public void TryParse_RandomAndNearMissInputs_NeverThrowAndAcceptedOnesParseAgainTheSame()
    {
        var random = new Random(20_251_121);
        var accepted = 0;
        var rejected = 0;

        for (var i = 0; i < Iterations; i++)
        {
            var input = i % 3 == 0 ? RandomText(random) : Mutate(random, ValidSeeds[random.Next(ValidSeeds.Length)]);

            var ok = SentryDsn.TryParse(input, out var parsed, out var error);

            if (!ok)
            {
                rejected++;
                Assert.Null(parsed);
                Assert.False(string.IsNullOrEmpty(error), input);
                continue;
            }

            accepted++;
            Assert.Null(error);
            Assert.NotEmpty(parsed!.PublicKey);
            Assert.All(parsed.ProjectId, c => Assert.True(char.IsAsciiDigit(c)));
            Assert.True(parsed.EnvelopeEndpoint.Scheme is "http" or "https", input);
            Assert.EndsWith($"/api/{parsed.ProjectId}/envelope/", parsed.EnvelopeEndpoint.AbsolutePath, StringComparison.Ordinal);
            Assert.True(SentryDsn.TryParse(parsed.ToString(), out var again, out _), input);
            Assert.Equal(parsed.EnvelopeEndpoint, again!.EnvelopeEndpoint);
            Assert.Equal(parsed.PublicKey, again.PublicKey);
            Assert.Equal(parsed.OrgId, again.OrgId);
        }

        Assert.True(accepted > 100, $"only {accepted} accepted");
        Assert.True(rejected > 100, $"only {rejected} rejected");
    }

    private static string RandomText(Random random) => FuzzText.Random(random, "https:/@?#:.0123456789abcdefo k%[]\\\t\u00e9\ud83d\ude00\ud800-_", 48);

    private static string Mutate(Random random, string seed) => FuzzText.Mutate(random, seed, "/@:?#%.0a \u00e9[", 4);
}
