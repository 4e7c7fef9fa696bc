using System.Text;
using TraceMiddleware.AspNetCore.Tunnel;
using TraceMiddleware.Configuration;
using TraceMiddleware.Export.Sentry;

namespace TraceMiddleware.Tests.AspNetCore.Tunnel;

public class SentryTunnelAllowListTests
{
    private static readonly SentryTunnelAllowList s_list = new(
    [
        SentryDsn.Parse("https://publickey@o1.ingest.sentry.io/42"),
        SentryDsn.Parse("http://browserkey@sentry.internal:9000/sentry/7"),
    ]);

    [Theory]
    [InlineData("https://publickey@o1.ingest.sentry.io/42", "https://o1.ingest.sentry.io/api/42/envelope/")]
    [InlineData("https://otherkey@o1.ingest.sentry.io/42", "https://o1.ingest.sentry.io/api/42/envelope/")]
    [InlineData("https://publickey:secret@o1.ingest.sentry.io/42", "https://o1.ingest.sentry.io/api/42/envelope/")]
    [InlineData("https://publickey@O1.INGEST.SENTRY.IO/42", "https://o1.ingest.sentry.io/api/42/envelope/")]
    [InlineData("HTTPS://publickey@o1.ingest.sentry.io/42", "https://o1.ingest.sentry.io/api/42/envelope/")]
    [InlineData("https://publickey@o1.ingest.sentry.io:443/42", "https://o1.ingest.sentry.io/api/42/envelope/")]
    [InlineData("https://publickey@o1.ingest.sentry.io/42/", "https://o1.ingest.sentry.io/api/42/envelope/")]
    [InlineData(" https://publickey@o1.ingest.sentry.io/42 ", "https://o1.ingest.sentry.io/api/42/envelope/")]
    [InlineData("http://k@sentry.internal:9000/sentry/7", "http://sentry.internal:9000/sentry/api/7/envelope/")]
    public void TryMatch_SameSchemeHostPortPrefixAndProject_IsAllowed_AndPostsToTheConfiguredEndpoint(string dsn, string endpoint)
    {
        var ok = s_list.TryMatch(dsn, out var allowed, out var reason);

        Assert.True(ok, reason);
        Assert.Equal(endpoint, allowed!.EnvelopeEndpoint.ToString());
    }

    [Theory]
    [InlineData("https://publickey@o2.ingest.sentry.io/42")]
    [InlineData("https://publickey@ingest.sentry.io/42")]
    [InlineData("https://publickey@o1.ingest.sentry.io.evil.example/42")]
    [InlineData("https://publickey@evil.example/o1.ingest.sentry.io/42")]
    [InlineData("https://publickey@o1.ingest.sentry.io/43")]
    [InlineData("https://publickey@o1.ingest.sentry.io/420")]
    [InlineData("https://publickey@o1.ingest.sentry.io/4")]
    [InlineData("https://publickey@o1.ingest.sentry.io:8443/42")]
    [InlineData("http://publickey@o1.ingest.sentry.io/42")]
    [InlineData("https://publickey@o1.ingest.sentry.io/prefix/42")]
    [InlineData("http://k@sentry.internal:9000/7")]
    [InlineData("http://k@sentry.internal:9000/SENTRY/7")]
    [InlineData("http://k@sentry.internal:9000/other/sentry/7")]
    [InlineData("http://k@sentry.internal/sentry/7")]
    [InlineData("http://k@127.0.0.1:9000/sentry/7")]
    public void TryMatch_AnyOtherSchemeHostPortPrefixOrProject_IsRefused(string dsn)
    {
        var ok = s_list.TryMatch(dsn, out var allowed, out var reason);

        Assert.False(ok);
        Assert.Null(allowed);
        Assert.Equal("the envelope's DSN is not allowed by this tunnel", reason);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not a dsn")]
    [InlineData("https://o1.ingest.sentry.io/42")]
    [InlineData("https://publickey@o1.ingest.sentry.io/")]
    [InlineData("https://publickey@o1.ingest.sentry.io/42?x=1")]
    [InlineData("https://publickey@o1.ingest.sentry.io/42#x")]
    [InlineData("ftp://publickey@o1.ingest.sentry.io/42")]
    [InlineData("file:///42")]
    public void TryMatch_NotADsn_IsRefused(string? dsn)
    {
        var ok = s_list.TryMatch(dsn, out var allowed, out var reason);

        Assert.False(ok);
        Assert.Null(allowed);
        Assert.Equal("the envelope header's dsn is not a valid DSN", reason);
    }

    [Fact]
    public void TryMatch_EmptyList_RefusesEverything_SayingSo()
    {
        var empty = new SentryTunnelAllowList([]);

        var ok = empty.TryMatch("https://publickey@o1.ingest.sentry.io/42", out _, out var reason);

        Assert.False(ok);
        Assert.Equal("this tunnel forwards to no DSN", reason);
    }

    [Fact]
    public void TryMatch_RandomAndNearMissDsns_NeverThrow_AndOnlyAllowTheConfiguredEndpoints()
    {
        var random = new Random(20_250_809);
        string[] seeds = ["https://publickey@o1.ingest.sentry.io/42", "http://browserkey@sentry.internal:9000/sentry/7"];
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789ABCXYZ:/@.?#%[]-_ \t\\é\u0000";
        var accepted = 0;

        for (var i = 0; i < 20_000; i++)
        {
            var dsn = Mutate(random, seeds[random.Next(seeds.Length)], alphabet);

            var ok = s_list.TryMatch(dsn, out var allowed, out var reason);

            if (!ok)
            {
                Assert.Null(allowed);
                Assert.False(string.IsNullOrEmpty(reason));
                continue;
            }

            accepted++;
            var candidate = SentryDsn.Parse(dsn);
            Assert.True(SentryTunnelAllowList.SameProject(allowed!, candidate));
            Assert.Equal(
                allowed!.EnvelopeEndpoint.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped),
                candidate.EnvelopeEndpoint.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped),
                StringComparer.OrdinalIgnoreCase);
        }

        Assert.InRange(accepted, 100, 19_900);
    }

    private static string Mutate(Random random, string seed, string alphabet)
    {
        var text = new StringBuilder(seed);
        var edits = random.Next(0, 3);
        for (var e = 0; e < edits; e++)
        {
            var at = random.Next(text.Length + 1);
            switch (random.Next(3))
            {
                case 0 when at < text.Length:
                    text.Remove(at, 1);
                    break;
                case 1 when at < text.Length:
                    text[at] = alphabet[random.Next(alphabet.Length)];
                    break;
                default:
                    text.Insert(at, alphabet[random.Next(alphabet.Length)]);
                    break;
            }
        }

        return text.ToString();
    }
}
