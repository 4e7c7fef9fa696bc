using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using TraceMiddleware.IntegrationTests.Infrastructure;
using TraceMiddleware.Propagation;
using TraceMiddleware.Testing;

namespace TraceMiddleware.IntegrationTests;

/// <summary>
/// W3C Trace Context Level 2 through the pipeline with <c>PropagateTraceparent</c> on: the app runs on a real
/// Kestrel server and is called over a raw socket (so several <c>tracestate</c> lines really are several lines);
/// it calls a real loopback server, and each test reads what that server received.
/// </summary>
public sealed class W3CTraceContextTests
{
    // The conformance suite's ids (test/test.py).
    private const string TraceId = "12345678901234567890123456789012";
    private const string ParentId = "1234567890123456";
    private const string Traceparent = "00-" + TraceId + "-" + ParentId + "-01";

    // "The receiving server ... carries over the tracestate it received": keys of the Level 2 grammar,
    // with "@" anywhere after the first character and a digit first (test_tracestate_key_illegal_vendor_format,
    // test_tracestate_key_length_limit).
    [Theory]
    [InlineData("foo@=1,bar=2")]
    [InlineData("foo@@bar=1,bar=2")]
    [InlineData("foo@bar@baz=1,bar=2")]
    [InlineData("1foo=1,bar@1=2")]
    public async Task Tracestate_Level2Keys_ReachTheCallee(string tracestate)
    {
        await using var app = await W3CApp.StartAsync();

        var seen = await app.CallAsync(("traceparent", Traceparent), ("tracestate", tracestate));

        Assert.Equal(tracestate, seen["tracestate"]);
    }

    // test_tracestate_key_length_limit: a 256-character key on a second line joins the first line's member.
    [Theory]
    [InlineData(256, 0)]
    [InlineData(241, 14)]
    [InlineData(1, 15)]
    public async Task Tracestate_A256CharacterKeyOnASecondLine_ReachesTheCalleeWithTheFirstLine(int before, int after)
    {
        var key = after == 0 ? new string('z', before) : new string('t', before) + "@" + new string('v', after);
        await using var app = await W3CApp.StartAsync();

        var seen = await app.CallAsync(("traceparent", Traceparent), ("tracestate", "foo=1"), ("tracestate", key + "=1"));

        Assert.Equal("foo=1," + key + "=1", seen["tracestate"]);
    }

    // The processing model: "If the tracestate header cannot be parsed the vendor MAY discard the entire
    // header", which the conformance suite expects for these; the traceparent is still continued, since
    // "failure to parse tracestate MUST NOT affect the parsing of traceparent".
    [Theory]
    [InlineData("@foo=1,bar=2")]
    [InlineData("foo=bar=baz")]
    [InlineData("foo=,bar=3")]
    [InlineData("FOO=1,bar=2")]
    [InlineData("foo.bar=1,bar=2")]
    public async Task Tracestate_WithAnInvalidMember_IsDroppedWhole_AndTheTraceContinues(string tracestate)
    {
        await using var app = await W3CApp.StartAsync();

        var seen = await app.CallAsync(("traceparent", Traceparent), ("tracestate", tracestate));

        Assert.StartsWith($"00-{TraceId}-", seen["traceparent"], StringComparison.Ordinal);
        Assert.Null(seen["tracestate"]);
    }

    [Fact]
    public async Task Tracestate_A257CharacterKeyOnASecondLine_DropsTheFirstLineToo()
    {
        await using var app = await W3CApp.StartAsync();

        var seen = await app.CallAsync(("traceparent", Traceparent), ("tracestate", "foo=1"), ("tracestate", new string('z', 257) + "=1"));

        Assert.StartsWith($"00-{TraceId}-", seen["traceparent"], StringComparison.Ordinal);
        Assert.Null(seen["tracestate"]);
    }

    // test_tracestate_duplicated_keys: "expects the tracestate to be inherited"; duplicates are kept as-is.
    [Theory]
    [InlineData(new[] { "foo=1,foo=1" }, "foo=1,foo=1")]
    [InlineData(new[] { "foo=1,foo=2" }, "foo=1,foo=2")]
    [InlineData(new[] { "foo=1", "foo=1" }, "foo=1,foo=1")]
    [InlineData(new[] { "foo=1", "foo=2" }, "foo=1,foo=2")]
    public async Task Tracestate_DuplicateKeys_AreInheritedAsTheyCame(string[] lines, string expected)
    {
        await using var app = await W3CApp.StartAsync();

        var seen = await app.CallAsync([("traceparent", Traceparent), .. lines.Select(l => ("tracestate", l))]);

        Assert.Equal(expected, seen["tracestate"]);
    }

    // "When receiving multiple tracestate header fields, they MUST be combined into a single header"
    // (test_tracestate_multiple_headers_different_keys, test_tracestate_empty_header, test_tracestate_ows_handling).
    [Fact]
    public async Task Tracestate_SeveralLines_ReachTheCalleeAsOneListInOrder()
    {
        await using var app = await W3CApp.StartAsync();

        var seen = await app.CallAsync(
            ("traceparent", Traceparent),
            ("tracestate", "foo=1 \t , \t bar=2"),
            ("tracestate", ""),
            ("tracestate", "rojo=1,,congo=2"),
            ("tracestate", "baz=3"));

        Assert.Equal("foo=1,bar=2,rojo=1,congo=2,baz=3", seen["tracestate"]);
    }

    // test_tracestate_member_count_limit: the 32-member limit applies to the combined lines.
    [Theory]
    [InlineData(32, true)]
    [InlineData(33, false)]
    public async Task Tracestate_MemberLimit_CountsEveryLine(int members, bool forwarded)
    {
        var all = Enumerable.Range(1, members).Select(i => $"bar{i:00}={i:00}").ToArray();
        var lines = all.Chunk(10).Select(chunk => ("tracestate", string.Join(",", chunk)));
        await using var app = await W3CApp.StartAsync();

        var seen = await app.CallAsync([("traceparent", Traceparent), .. lines]);

        Assert.Equal(forwarded ? string.Join(",", all) : null, seen["tracestate"]);
    }

    // "Vendors SHOULD propagate at least 512 characters of a combined header"; past that, "the vendor MUST
    // truncate whole entries. Entries larger than 128 characters long SHOULD be removed first. Then entries
    // SHOULD be removed starting from the end".
    [Fact]
    public async Task Tracestate_LongerThan512_ReachesTheCalleeCutByWholeMembers()
    {
        var big = Enumerable.Range(0, 32).Select(i => $"vendor{i:00}=" + new string('x', 256)).ToArray();
        var small = Enumerable.Range(0, 20).Select(i => $"s{i:00}=" + new string('v', 30)).ToArray();
        await using var app = await W3CApp.StartAsync();

        var bigSeen = await app.CallAsync(("traceparent", Traceparent), ("tracestate", string.Join(",", big[..16])), ("tracestate", string.Join(",", big[16..])));
        var smallSeen = await app.CallAsync(("traceparent", Traceparent), ("tracestate", string.Join(",", small)));

        Assert.Equal(big[0], bigSeen["tracestate"]);
        Assert.Equal(string.Join(",", small[..14]), smallSeen["tracestate"]);
        Assert.InRange(smallSeen["tracestate"]!.Length, 1, TraceStateHeader.MaxPropagatedLength);
    }

    // "If a tracestate header is received without an accompanying traceparent header, it is invalid and MUST
    // be discarded" (test_tracestate_included_traceparent_missing), also when sentry-trace continues the trace.
    [Fact]
    public async Task Tracestate_WithoutTraceparent_IsNotForwarded()
    {
        await using var app = await W3CApp.StartAsync();

        var seen = await app.CallAsync(("sentry-trace", $"{TraceId}-{ParentId}-1"), ("tracestate", "foo=1"));

        Assert.StartsWith($"00-{TraceId}-", seen["traceparent"], StringComparison.Ordinal);
        Assert.Null(seen["tracestate"]);
    }

    [Fact]
    public async Task Tracestate_WithSentryTraceAndATraceparentOfTheSameTrace_IsForwarded()
    {
        await using var app = await W3CApp.StartAsync();

        var seen = await app.CallAsync(("sentry-trace", $"{TraceId}-{ParentId}-1"), ("traceparent", Traceparent), ("tracestate", "foo=1"));

        Assert.Equal("foo=1", seen["tracestate"]);
    }

    // "If the flag is set in the incoming traceparent header, it MUST also be set in all outgoing
    // traceparent headers which use the same trace-id", and "If the flag is unset ..., it MUST also be
    // unset"; other flags: "Vendors MUST set those to zero". sentry-trace has no such flag.
    [Theory]
    [InlineData("00", "00", "0")]
    [InlineData("01", "01", "1")]
    [InlineData("02", "02", "0")]
    [InlineData("03", "03", "1")]
    [InlineData("ff", "03", "1")]
    [InlineData("fc", "00", "0")]
    public async Task RandomFlag_OfTheIncomingTraceparent_IsPropagated(string incoming, string outgoing, string sentrySampled)
    {
        await using var app = await W3CApp.StartAsync();

        var seen = await app.CallAsync(("traceparent", $"00-{TraceId}-{ParentId}-{incoming}"));

        Assert.Matches($"^00-{TraceId}-[0-9a-f]{{16}}-{outgoing}$", seen["traceparent"]);
        Assert.Matches($"^{TraceId}-[0-9a-f]{{16}}-{sentrySampled}$", seen["sentry-trace"]);
    }

    // "When at least the right-most 7 bytes of the trace-id are randomly (or pseudo-randomly) generated, the
    // random-trace-id flag SHOULD be set": a trace started here has an ActivityTraceId.CreateRandom id.
    [Theory]
    [InlineData("1", "03")]
    [InlineData("0", "02")]
    public async Task RandomFlag_IsSet_OnATraceStartedHere(string rate, string outgoing)
    {
        await using var app = await W3CApp.StartAsync(rate);

        var seen = await app.CallAsync();

        Assert.Matches($"^00-[0-9a-f]{{32}}-[0-9a-f]{{16}}-{outgoing}$", seen["traceparent"]);
        Assert.Matches($"^[0-9a-f]{{32}}-[0-9a-f]{{16}}-{rate}$", seen["sentry-trace"]);
    }

    // sentry-trace says nothing about how its trace id was made, so a trace continued from it alone makes no
    // claim; a traceparent of the same trace that came with it does.
    [Theory]
    [InlineData(null, "01")]
    [InlineData("03", "03")]
    [InlineData("01", "01")]
    public async Task RandomFlag_OfATraceContinuedFromSentryTrace_IsTheSameTracesTraceparents(string? traceparentFlags, string outgoing)
    {
        await using var app = await W3CApp.StartAsync();
        (string, string)[] headers = traceparentFlags is null
            ? [("sentry-trace", $"{TraceId}-{ParentId}-1")]
            : [("sentry-trace", $"{TraceId}-{ParentId}-1"), ("traceparent", $"00-{TraceId}-{ParentId}-{traceparentFlags}")];

        var seen = await app.CallAsync(headers);

        Assert.Matches($"^00-{TraceId}-[0-9a-f]{{16}}-{outgoing}$", seen["traceparent"]);
    }

    [Fact]
    public async Task RandomFlag_OfATraceparentOfAnotherTrace_IsNotTaken()
    {
        await using var app = await W3CApp.StartAsync();

        var seen = await app.CallAsync(("sentry-trace", $"{TraceId}-{ParentId}-1"), ("traceparent", "00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-03"));

        Assert.Matches($"^00-{TraceId}-[0-9a-f]{{16}}-01$", seen["traceparent"]);
    }

    /// <summary>The test app on Kestrel with <c>PropagateTraceparent</c>, and the loopback server it calls.</summary>
    private sealed class W3CApp : IAsyncDisposable
    {
        private readonly WebApplicationFactory<MinimalApp.Program> _factory;
        private readonly EchoServer _echo;
        private readonly Uri _address;
        private int _calls;

        private W3CApp(WebApplicationFactory<MinimalApp.Program> factory, EchoServer echo, Uri address)
        {
            _factory = factory;
            _echo = echo;
            _address = address;
        }

        public static async Task<W3CApp> StartAsync(string sampleRate = "1")
        {
            var echo = await EchoServer.StartAsync();
            var factory = TestHosts.Minimal(new() { ["Tracing:TracesSampleRate"] = sampleRate, ["Tracing:PropagateTraceparent"] = "true" });
            factory.UseKestrel(0);
            factory.StartServer();
            var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new W3CApp(factory, echo, new Uri(address));
        }

        /// <summary>
        /// Sends <c>GET /call</c> with exactly these header lines, in this order, and returns what the loopback
        /// server received from the app's outgoing call.
        /// </summary>
        public async Task<ReceivedRequest> CallAsync(params (string Name, string Value)[] headers)
        {
            var path = $"/callee/{Interlocked.Increment(ref _calls)}";
            var url = Uri.EscapeDataString(new Uri(_echo.BaseAddress, path).ToString());
            var request = new StringBuilder($"GET /call?url={url} HTTP/1.1\r\nHost: {_address.Authority}\r\n");
            foreach (var (name, value) in headers)
            {
                request.Append(name).Append(": ").Append(value).Append("\r\n");
            }

            request.Append("Connection: close\r\n\r\n");
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            using var client = new TcpClient();
            await client.ConnectAsync(_address.Host, _address.Port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes(request.ToString()), timeout.Token);
            using var reader = new StreamReader(stream, Encoding.ASCII);
            var response = await reader.ReadToEndAsync(timeout.Token);

            Assert.StartsWith("HTTP/1.1 200 ", response, StringComparison.Ordinal);
            return _echo.Single(path);
        }

        public async ValueTask DisposeAsync()
        {
            await _factory.DisposeAsync();
            await _echo.DisposeAsync();
        }
    }
}
