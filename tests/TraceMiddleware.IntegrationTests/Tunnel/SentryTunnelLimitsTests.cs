using System.Net;
using TraceMiddleware.Testing;

namespace TraceMiddleware.IntegrationTests.Tunnel;

/// <summary>
/// What the tunnel holds for slow or silent clients, on a real loopback Kestrel (an in-memory test server
/// has no slow clients): a body that does not arrive in time gets 408 and is let go, requests beyond the
/// bytes allowed get 503 unread, and ordinary envelopes pass meanwhile.
/// </summary>
public sealed class SentryTunnelLimitsTests
{
    private static readonly TimeSpan AnswerWait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task BodyThatStopsArriving_Is408_TheConnectionIsClosed_AndItsShareIsFreed()
    {
        // Arrange: the body is large enough that Kestrel's own minimum data rate (240 B/s after 5 s) would
        // take minutes to end it; the tunnel allows exactly one such body at a time.
        await using var sentry = await FakeSentry.StartAsync();
        await using var app = await TunnelApp.StartAsync(new()
        {
            ["Tracing:Dsn"] = sentry.Dsn(),
            ["Tracing:Tunnel:MaxBodySize"] = "262144",
            ["Tracing:Tunnel:MaxBufferedBytes"] = "262144",
            ["Tracing:Tunnel:RequestBodyTimeout"] = "00:00:00.500",
        });
        var body = Envelope.Padded(sentry.Dsn(), 256 * 1024);

        // Act: all of the body but its last byte, then silence.
        await using var client = await SlowClient.PostAsync(app.Client.BaseAddress!, "/monitoring", body.Length, body[..^1]);
        var (status, headers) = await client.ReadResponseHeadAsync(AnswerWait);
        var closed = await client.WaitForCloseAsync(AnswerWait);
        using var next = await app.PostAsync(body);

        // Assert
        Assert.Equal(408, status);
        Assert.Equal("close", headers["connection"]);
        Assert.True(closed, "the server kept the connection of a body that did not arrive");
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal(body, Assert.Single(sentry.Received).Body);
    }

    [Fact]
    public async Task BeyondMaxBufferedBytes_Is503WithRetryAfter_Unread_AndServiceResumesAfterwards()
    {
        // Arrange: two slow bodies of the largest size fill what the tunnel may hold.
        await using var sentry = await FakeSentry.StartAsync();
        var logs = new CapturingLoggerProvider();
        await using var app = await TunnelApp.StartAsync(
            new()
            {
                ["Tracing:Dsn"] = sentry.Dsn(),
                ["Tracing:Tunnel:MaxBodySize"] = "65536",
                ["Tracing:Tunnel:MaxBufferedBytes"] = "131072",
                ["Tracing:Tunnel:RequestBodyTimeout"] = "00:01:00",
            },
            logs: logs);
        var envelope = Envelope.Bytes(sentry.Dsn());
        var slow = new List<SlowClient>();
        for (var i = 0; i < 2; i++)
        {
            slow.Add(await SlowClient.PostAsync(app.Client.BaseAddress!, "/monitoring", 65536, envelope[..100]));
        }

        // Act
        var refused = await WaitUntilFullAsync(app, envelope, slow);
        await using var unread = await SlowClient.PostAsync(app.Client.BaseAddress!, "/monitoring", 1000, []);
        var (status, headers) = await unread.ReadResponseHeadAsync(AnswerWait);
        foreach (var client in slow)
        {
            await client.DisposeAsync();
        }

        var resumed = await WaitForStatusAsync(app, envelope, HttpStatusCode.OK);

        // Assert: the request that sent no body at all was answered at once, and told when to come back.
        Assert.NotNull(refused);
        Assert.Equal("60", Assert.Single(refused.Headers.GetValues("Retry-After")));
        Assert.Equal("the tunnel is busy; try again later", await refused.Content.ReadAsStringAsync());
        Assert.Equal(503, status);
        Assert.Equal("60", headers["retry-after"]);
        Assert.Equal("close", headers["connection"]);
        Assert.NotNull(resumed);
        Assert.NotEmpty(sentry.Received);
        Assert.All(sentry.Received, r => Assert.Equal(envelope, r.Body));
        var warning = Assert.Single(logs.WithEventId(4007));
        Assert.Contains("Tracing:Tunnel:MaxBufferedBytes", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OrdinaryEnvelopes_AreForwarded_WhileSlowClientsWait()
    {
        // Arrange: default limits, three slow clients each declaring the largest body.
        await using var sentry = await FakeSentry.StartAsync();
        await using var app = await TunnelApp.StartAsync(new() { ["Tracing:Dsn"] = sentry.Dsn() });
        var envelope = Envelope.Bytes(sentry.Dsn());
        var slow = new List<SlowClient>();
        for (var i = 0; i < 3; i++)
        {
            slow.Add(await SlowClient.PostAsync(app.Client.BaseAddress!, "/monitoring", 1024 * 1024, envelope[..100]));
        }

        // Act: fifty envelopes at once, and one whose body comes in two parts, well within the deadline.
        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => app.PostAsync(envelope)));
        await using var inParts = await SlowClient.PostAsync(app.Client.BaseAddress!, "/monitoring", envelope.Length, envelope[..200]);
        await Task.Delay(300);
        await inParts.SendAsync(envelope[200..]);
        var (status, _) = await inParts.ReadResponseHeadAsync(AnswerWait);

        // Assert
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(200, status);
        Assert.Equal(51, sentry.Received.Count);
        Assert.All(sentry.Received, r => Assert.Equal(envelope, r.Body));
        foreach (var response in responses)
        {
            response.Dispose();
        }

        foreach (var client in slow)
        {
            await client.DisposeAsync();
        }
    }

    /// <summary>
    /// Posts <paramref name="body"/> until it is refused with 503. An envelope that arrives before the slow
    /// clients have all taken their share can make one of them the refused one: that one is sent again.
    /// </summary>
    private static async Task<HttpResponseMessage?> WaitUntilFullAsync(TunnelApp app, byte[] body, List<SlowClient> slow)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            for (var i = 0; i < slow.Count; i++)
            {
                if (slow[i].HasAnswered)
                {
                    await slow[i].DisposeAsync();
                    slow[i] = await SlowClient.PostAsync(app.Client.BaseAddress!, "/monitoring", 65536, body[..100]);
                }
            }

            var response = await app.PostAsync(body);
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                return response;
            }

            response.Dispose();
            await Task.Delay(100);
        }

        return null;
    }

    /// <summary>Posts <paramref name="body"/> until the answer is <paramref name="expected"/> (the tunnel's state changes asynchronously), or gives up.</summary>
    private static async Task<HttpResponseMessage?> WaitForStatusAsync(TunnelApp app, byte[] body, HttpStatusCode expected)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var response = await app.PostAsync(body);
            if (response.StatusCode == expected)
            {
                return response;
            }

            response.Dispose();
            await Task.Delay(100);
        }

        return null;
    }
}
