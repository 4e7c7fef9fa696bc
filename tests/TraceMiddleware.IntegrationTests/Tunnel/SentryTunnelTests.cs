using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;
using TraceMiddleware.Testing;

namespace TraceMiddleware.IntegrationTests.Tunnel;

/// <summary>The tunnel between a loopback Kestrel app and a loopback Kestrel "Sentry".</summary>
public sealed class SentryTunnelTests
{
    [Fact]
    public async Task EnvelopeForTheConfiguredDsn_IsForwardedByteForByte_AndSentrysAnswerComesBack()
    {
        await using var sentry = await FakeSentry.StartAsync();
        await using var app = await TunnelApp.StartAsync(new() { ["Tracing:Dsn"] = sentry.Dsn() });
        var body = Envelope.Bytes(sentry.Dsn(key: "browserkey"));

        using var response = await app.PostAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(sentry.ResponseBody, await response.Content.ReadAsStringAsync());
        var received = Assert.Single(sentry.Received);
        Assert.Equal("POST", received.Method);
        Assert.Equal("/api/42/envelope/", received.PathAndQuery);
        Assert.Equal(body, received.Body);
        Assert.Equal("application/x-sentry-envelope", received["content-type"]);
        Assert.Null(received["content-encoding"]);
    }

    [Fact]
    public async Task GzipEnvelope_IsForwardedCompressed_WithTheSameContentEncoding()
    {
        await using var sentry = await FakeSentry.StartAsync();
        await using var app = await TunnelApp.StartAsync(new() { ["Tracing:Dsn"] = sentry.Dsn() });
        var body = Envelope.Gzip(Envelope.Bytes(sentry.Dsn()));

        using var response = await app.PostAsync(body, contentEncoding: "gzip");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(sentry.Received);
        Assert.Equal(body, received.Body);
        Assert.Equal("gzip", received["content-encoding"]);
    }

    [Fact]
    public async Task ChunkedEnvelope_WithoutContentLength_IsForwarded()
    {
        await using var sentry = await FakeSentry.StartAsync();
        await using var app = await TunnelApp.StartAsync(new() { ["Tracing:Dsn"] = sentry.Dsn() });
        var body = Envelope.Bytes(sentry.Dsn());

        using var response = await app.PostAsync(body, chunked: true);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, Assert.Single(sentry.Received).Body);
    }

    [Fact]
    public async Task XForwardedFor_CarriesTheClientAddress()
    {
        await using var sentry = await FakeSentry.StartAsync();
        await using var app = await TunnelApp.StartAsync(new() { ["Tracing:Dsn"] = sentry.Dsn() });

        using var response = await app.PostAsync(Envelope.Bytes(sentry.Dsn()));

        Assert.Equal("127.0.0.1", Assert.Single(sentry.Received)["x-forwarded-for"]);
    }

    [Fact]
    public async Task XForwardedFor_AppendsTheClientAddress_ToAnExistingOne()
    {
        await using var sentry = await FakeSentry.StartAsync();
        await using var app = await TunnelApp.StartAsync(new() { ["Tracing:Dsn"] = sentry.Dsn() });

        using var response = await app.PostAsync(Envelope.Bytes(sentry.Dsn()), configure: r => r.Headers.Add("X-Forwarded-For", "203.0.113.7"));

        Assert.Equal("203.0.113.7, 127.0.0.1", Assert.Single(sentry.Received)["x-forwarded-for"]);
    }

    [Fact]
    public async Task UpstreamRateLimit_StatusRetryAfterAndSentryRateLimits_ComeBack()
    {
        await using var sentry = await FakeSentry.StartAsync();
        sentry.StatusCode = 429;
        sentry.ResponseHeaders["Retry-After"] = "60";
        sentry.ResponseHeaders["X-Sentry-Rate-Limits"] = "60:transaction:key";
        sentry.ResponseBody = "{\"detail\":\"rate limited\"}";
        await using var app = await TunnelApp.StartAsync(new() { ["Tracing:Dsn"] = sentry.Dsn() });

        using var response = await app.PostAsync(Envelope.Bytes(sentry.Dsn()));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("60", Assert.Single(response.Headers.GetValues("Retry-After")));
        Assert.Equal("60:transaction:key", Assert.Single(response.Headers.GetValues("X-Sentry-Rate-Limits")));
        Assert.Equal(sentry.ResponseBody, await response.Content.ReadAsStringAsync());
    }

    private static string ForgedHeader(string forgery, int port) => forgery switch
    {
        "other host" => Envelope.Header($"\"dsn\":\"http://publickey@localhost:{port}/42\","),
        "other project" => Envelope.Header($"\"dsn\":\"http://publickey@127.0.0.1:{port}/43\","),
        "other port" => Envelope.Header($"\"dsn\":\"http://publickey@127.0.0.1:{port + 1}/42\","),
        "other scheme" => Envelope.Header($"\"dsn\":\"https://publickey@127.0.0.1:{port}/42\","),
        "other path prefix" => Envelope.Header($"\"dsn\":\"http://publickey@127.0.0.1:{port}/sentry/42\","),
        "arbitrary host" => Envelope.Header("\"dsn\":\"http://publickey@example.com/42\","),
        "missing dsn" => Envelope.Header(string.Empty),
        "dsn not a string" => Envelope.Header("\"dsn\":42,"),
        "dsn not a DSN" => Envelope.Header("\"dsn\":\"http://127.0.0.1/\","),
        "two dsns" => Envelope.Header($"\"dsn\":\"http://publickey@127.0.0.1:{port}/42\",\"dsn\":\"http://publickey@example.com/42\","),
        "garbage header line" => "\u0001\u0002garbage",
        "non-JSON header" => $"dsn=http://publickey@127.0.0.1:{port}/42",
        "JSON array header" => $"[\"http://publickey@127.0.0.1:{port}/42\"]",
        _ => throw new ArgumentOutOfRangeException(nameof(forgery)),
    };

    [Theory]
    [InlineData("other host")]
    [InlineData("other project")]
    [InlineData("other port")]
    [InlineData("other scheme")]
    [InlineData("other path prefix")]
    [InlineData("arbitrary host")]
    [InlineData("missing dsn")]
    [InlineData("dsn not a string")]
    [InlineData("dsn not a DSN")]
    [InlineData("two dsns")]
    [InlineData("garbage header line")]
    [InlineData("non-JSON header")]
    [InlineData("JSON array header")]
    public async Task ForgedOrMissingDsn_Is400_AndNothingIsFetched(string forgery)
    {
        await using var sentry = await FakeSentry.StartAsync();
        await using var echo = await EchoServer.StartAsync();
        await using var app = await TunnelApp.StartAsync(new() { ["Tracing:Dsn"] = sentry.Dsn() });
        var header = ForgedHeader(forgery, sentry.Port);

        using var response = await app.PostAsync(Encoding.UTF8.GetBytes(header + Envelope.Items("4bf92f3577b34da6a3ce929d0e0e4736")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("the envelope", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(sentry.Received);
        Assert.Empty(echo.Received);
    }

    [Fact]
    public async Task ForgedDsnInGzip_Is400()
    {
        await using var sentry = await FakeSentry.StartAsync();
        await using var app = await TunnelApp.StartAsync(new() { ["Tracing:Dsn"] = sentry.Dsn() });

        using var response = await app.PostAsync(Envelope.Gzip(Envelope.Bytes(sentry.Dsn(project: "43"))), contentEncoding: "gzip");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(sentry.Received);
    }

    [Fact]
    public async Task CorruptGzip_Is400()
    {
        await using var sentry = await FakeSentry.StartAsync();
        await using var app = await TunnelApp.StartAsync(new() { ["Tracing:Dsn"] = sentry.Dsn() });

        using var response = await app.PostAsync(Envelope.Bytes(sentry.Dsn()), contentEncoding: "gzip");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("the body is not valid gzip", await response.Content.ReadAsStringAsync());
        Assert.Empty(sentry.Received);
    }

    [Fact]
    public async Task UnsupportedContentEncoding_Is415_NamingTheSupportedOnes()
    {
        await using var sentry = await FakeSentry.StartAsync();
        await using var app = await TunnelApp.StartAsync(new() { ["Tracing:Dsn"] = sentry.Dsn() });

        using var response = await app.PostAsync(Envelope.Bytes(sentry.Dsn()), contentEncoding: "zstd");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("gzip, deflate, br", Assert.Single(response.Headers.GetValues("Accept-Encoding")));
        Assert.Empty(sentry.Received);
    }

    [Fact]
    public async Task EmptyBody_Is400()
    {
        await using var sentry = await FakeSentry.StartAsync();
        await using var app = await TunnelApp.StartAsync(new() { ["Tracing:Dsn"] = sentry.Dsn() });

        using var response = await app.PostAsync([]);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(sentry.Received);
    }

    [Fact]
    public async Task Get_IsNotAllowed()
    {
        await using var sentry = await FakeSentry.StartAsync();
        await using var app = await TunnelApp.StartAsync(new() { ["Tracing:Dsn"] = sentry.Dsn() });

        using var response = await app.Client.GetAsync("/monitoring");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task AllowedDsnsFromConfiguration_AreForwardedToTheirOwnEndpoint()
    {
        await using var server = await FakeSentry.StartAsync();
        await using var browser = await FakeSentry.StartAsync();
        await using var app = await TunnelApp.StartAsync(new()
        {
            ["Tracing:Dsn"] = server.Dsn(),
            ["Tracing:Tunnel:AllowedDsns:0"] = browser.Dsn(project: "7", prefix: "sentry/"),
        });
        var body = Envelope.Bytes(browser.Dsn(project: "7", prefix: "sentry/", key: "otherkey"));

        using var response = await app.PostAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(server.Received);
        var received = Assert.Single(browser.Received);
        Assert.Equal("/sentry/api/7/envelope/", received.PathAndQuery);
        Assert.Equal(body, received.Body);
    }

    [Fact]
    public async Task AllowedDsnsFromCode_AreForwarded_WithoutAConfiguredDsn()
    {
        await using var browser = await FakeSentry.StartAsync();
        await using var app = await TunnelApp.StartAsync([], map: a => a.MapSentryTunnel("/monitoring", o => o.AllowedDsns.Add(browser.Dsn(project: "7"))));

        using var response = await app.PostAsync(Envelope.Bytes(browser.Dsn(project: "7")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/api/7/envelope/", Assert.Single(browser.Received).PathAndQuery);
    }

    [Fact]
    public async Task NoDsnAtAll_RefusesEverything_AndWarnsAtStartUp()
    {
        await using var sentry = await FakeSentry.StartAsync();
        var logs = new CapturingLoggerProvider();
        await using var app = await TunnelApp.StartAsync([], logs: logs);

        using var response = await app.PostAsync(Envelope.Bytes(sentry.Dsn()));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("this tunnel forwards to no DSN", await response.Content.ReadAsStringAsync());
        Assert.Empty(sentry.Received);
        var warning = Assert.Single(logs.WithEventId(4006));
        Assert.Contains("Set Tracing:Dsn or Tracing:Tunnel:AllowedDsns", warning.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task BodyOneByteOverTheLimit_Is413_AndNothingIsForwarded(bool chunked)
    {
        await using var sentry = await FakeSentry.StartAsync();
        await using var app = await TunnelApp.StartAsync(new() { ["Tracing:Dsn"] = sentry.Dsn(), ["Tracing:Tunnel:MaxBodySize"] = "1024" });
        var body = Envelope.Padded(sentry.Dsn(), 1025);

        using var response = await app.PostAsync(body, chunked: chunked);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(sentry.Received);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task BodyAtTheLimit_IsForwarded(bool chunked)
    {
        await using var sentry = await FakeSentry.StartAsync();
        await using var app = await TunnelApp.StartAsync(new() { ["Tracing:Dsn"] = sentry.Dsn(), ["Tracing:Tunnel:MaxBodySize"] = "1024" });
        var body = Envelope.Padded(sentry.Dsn(), 1024);

        using var response = await app.PostAsync(body, chunked: chunked);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, Assert.Single(sentry.Received).Body);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ServersLowerBodyLimit_AlsoAnswers413(bool chunked)
    {
        await using var sentry = await FakeSentry.StartAsync();
        await using var app = await TunnelApp.StartAsync(new() { ["Tracing:Dsn"] = sentry.Dsn() }, serverBodyLimit: 512);

        using var response = await app.PostAsync(Envelope.Padded(sentry.Dsn(), 1000), chunked: chunked);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("the body is larger than the server allows", await response.Content.ReadAsStringAsync());
        Assert.Empty(sentry.Received);
    }

    [Fact]
    public async Task DefaultLimit_IsOneMebibyte()
    {
        await using var sentry = await FakeSentry.StartAsync();
        await using var app = await TunnelApp.StartAsync(new() { ["Tracing:Dsn"] = sentry.Dsn() });

        using var over = await app.PostAsync(Envelope.Padded(sentry.Dsn(), (1024 * 1024) + 1));
        using var at = await app.PostAsync(Envelope.Padded(sentry.Dsn(), 1024 * 1024));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, over.StatusCode);
        Assert.Equal(HttpStatusCode.OK, at.StatusCode);
        Assert.Single(sentry.Received);
    }

    [Fact]
    public async Task UpstreamDown_Is502()
    {
        var port = FreePort();
        await using var app = await TunnelApp.StartAsync(new() { ["Tracing:Dsn"] = $"http://publickey@127.0.0.1:{port}/42" });

        using var response = await app.PostAsync(Envelope.Bytes($"http://publickey@127.0.0.1:{port}/42"));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
    }

    [Fact]
    public async Task UpstreamTooSlow_Is504()
    {
        await using var sentry = await FakeSentry.StartAsync();
        sentry.Hang = true;
        await using var app = await TunnelApp.StartAsync(new() { ["Tracing:Dsn"] = sentry.Dsn(), ["Tracing:Tunnel:Timeout"] = "00:00:00.200" });

        using var response = await app.PostAsync(Envelope.Bytes(sentry.Dsn()));

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
    }

    [Fact]
    public async Task UpstreamFailures_WarnOnce_ThenDebug_AndRecoveryIsLogged()
    {
        var port = FreePort();
        var dsn = $"http://publickey@127.0.0.1:{port}/42";
        var logs = new CapturingLoggerProvider();
        await using var app = await TunnelApp.StartAsync(new() { ["Tracing:Dsn"] = dsn }, logs: logs);

        (await app.PostAsync(Envelope.Bytes(dsn))).Dispose();
        (await app.PostAsync(Envelope.Bytes(dsn))).Dispose();

        var warning = Assert.Single(logs.WithEventId(4003));
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, warning.Level);
        Assert.Single(logs.WithEventId(4004));
        Assert.Empty(logs.WithEventId(4005));
    }

    [Fact]
    public async Task TunnelRequest_MakesNoSpan_AndSentryGetsNoTraceHeader()
    {
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        var controlTraceId = ActivityTraceId.CreateRandom().ToHexString();
        await using var sentry = await FakeSentry.StartAsync();
        await using var app = await TunnelApp.StartAsync(new() { ["Tracing:Dsn"] = sentry.Dsn(), ["Tracing:TracesSampleRate"] = "1", ["Tracing:PropagateTraceparent"] = "true" });

        using var response = await app.PostAsync(Envelope.Bytes(sentry.Dsn()), configure: r => r.Headers.Add("sentry-trace", $"{traceId}-00f067aa0ba902b7-1"));
        using var control = new HttpRequestMessage(HttpMethod.Get, "/page");
        control.Headers.Add("sentry-trace", $"{controlTraceId}-00f067aa0ba902b7-1");
        (await app.Client.SendAsync(control)).Dispose();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(await SpanCollector.WaitForRequestAsync(traceId), s => s.Recorded);
        Assert.Single(await SpanCollector.WaitForRequestAsync(controlTraceId), s => s.Kind == ActivityKind.Server);
        // Sentry gets the tunnelled envelope and, from our exporter, the control request's transaction: none
        // of them with a trace header.
        var tunnelled = Envelope.Bytes(sentry.Dsn());
        Assert.Single(sentry.Received, r => r.Body.AsSpan().SequenceEqual(tunnelled));
        Assert.All(sentry.Received, r => Assert.DoesNotContain(ReceivedRequest.TraceHeaderNames, r.Headers.ContainsKey));
    }

    [Fact]
    public async Task TunnelInARouteGroup_FirstRequestAlreadyMakesNoSpan()
    {
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        await using var sentry = await FakeSentry.StartAsync();
        await using var app = await TunnelApp.StartAsync(
            new() { ["Tracing:Dsn"] = sentry.Dsn(), ["Tracing:TracesSampleRate"] = "1" },
            map: a => a.MapGroup("/api").MapSentryTunnel("/monitoring"));

        using var response = await app.PostAsync(Envelope.Bytes(sentry.Dsn()), path: "/api/monitoring", configure: r => r.Headers.Add("sentry-trace", $"{traceId}-00f067aa0ba902b7-1"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(await SpanCollector.WaitForRequestAsync(traceId), s => s.Recorded);
    }

    [Fact]
    public async Task TunnelAfterUseTracingPlacedAfterRouting_MakesNoSpan()
    {
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        await using var sentry = await FakeSentry.StartAsync();
        await using var app = await TunnelApp.StartAsync(
            new() { ["Tracing:Dsn"] = sentry.Dsn(), ["Tracing:TracesSampleRate"] = "1" },
            map: a =>
            {
                a.UseRouting();
                a.UseTracing();
                a.MapGroup("/{tenant}").MapSentryTunnel("/monitoring");
            });

        using var response = await app.PostAsync(Envelope.Bytes(sentry.Dsn()), path: "/acme/monitoring", configure: r => r.Headers.Add("sentry-trace", $"{traceId}-00f067aa0ba902b7-1"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(await SpanCollector.WaitForRequestAsync(traceId), s => s.Recorded);
    }

    [Fact]
    public async Task RejectedEnvelope_IsLoggedAtDebug_WithTheReason()
    {
        await using var sentry = await FakeSentry.StartAsync();
        var logs = new CapturingLoggerProvider();
        await using var app = await TunnelApp.StartAsync(new() { ["Tracing:Dsn"] = sentry.Dsn() }, logs: logs);

        (await app.PostAsync(Envelope.Bytes(sentry.Dsn(project: "43")))).Dispose();
        (await app.PostAsync(Envelope.Bytes(sentry.Dsn()))).Dispose();

        var rejected = Assert.Single(logs.WithEventId(4001));
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Debug, rejected.Level);
        Assert.Equal("Sentry tunnel /monitoring: refused with 400: the envelope's DSN is not allowed by this tunnel.", rejected.Message);
        Assert.DoesNotContain(logs.Entries, e => e.Category == "TraceMiddleware" && e.Level >= Microsoft.Extensions.Logging.LogLevel.Information && e.EventId.Id / 100 == 40);
    }

    [Theory]
    [InlineData("Tracing:Tunnel:AllowedDsns:0", "not a dsn", "Tracing:Tunnel:AllowedDsns:0: the DSN is not an absolute URL")]
    [InlineData("Tracing:Tunnel:MaxBodySize", "big", "Tracing:Tunnel:MaxBodySize: 'big' is not a whole number of bytes")]
    [InlineData("Tracing:Tunnel:MaxBodySize", "0", "Tracing:Tunnel:MaxBodySize: 0 is outside [1, 104857600] bytes")]
    [InlineData("Tracing:Tunnel:Timeout", "soon", "Tracing:Tunnel:Timeout: 'soon' is not a time span")]
    [InlineData("Tracing:Tunnel:Timeout", "00:10:00", "Tracing:Tunnel:Timeout: 00:10:00 is outside (0, 00:05:00]")]
    [InlineData("Tracing:Tunnel:RequestBodyTimeout", "soon", "Tracing:Tunnel:RequestBodyTimeout: 'soon' is not a time span")]
    [InlineData("Tracing:Tunnel:RequestBodyTimeout", "00:00:00", "Tracing:Tunnel:RequestBodyTimeout: 00:00:00 is outside (0, 00:05:00]")]
    [InlineData("Tracing:Tunnel:RequestBodyTimeout", "00:10:00", "Tracing:Tunnel:RequestBodyTimeout: 00:10:00 is outside (0, 00:05:00]")]
    [InlineData("Tracing:Tunnel:MaxBufferedBytes", "lots", "Tracing:Tunnel:MaxBufferedBytes: 'lots' is not a whole number of bytes")]
    [InlineData("Tracing:Tunnel:MaxBufferedBytes", "1048575", "Tracing:Tunnel:MaxBufferedBytes: 1048575 is less than MaxBodySize (1048576)")]
    [InlineData("Tracing:Tunnel:MaxBufferedBytes", "0", "Tracing:Tunnel:MaxBufferedBytes: 0 is less than MaxBodySize (1048576)")]
    public async Task BadTunnelSetting_StopsStartUp_NamingTheKey(string key, string value, string message)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TunnelApp.StartAsync(new() { [key] = value }));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PatternWithParameters_IsRefused()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => TunnelApp.StartAsync([], map: a => a.MapSentryTunnel("/monitoring/{id}")));

        Assert.Contains("must be a fixed path", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutAddTracing_SaysWhatToCall()
    {
        var builder = WebApplication.CreateSlimBuilder();
        await using var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.MapSentryTunnel("/monitoring"));

        Assert.Contains("builder.Services.AddTracing()", error.Message, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
