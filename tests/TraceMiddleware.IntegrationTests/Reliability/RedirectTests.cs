using System.Diagnostics;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using TraceMiddleware.IntegrationTests.Infrastructure;
using TraceMiddleware.Testing;

namespace TraceMiddleware.IntegrationTests.Reliability;

/// <summary>
/// A redirect from a target to a host that is not one never carries a trace header on, whatever client makes the
/// call: where .NET asks the library's propagator on every hop, and where it does not (a primary handler without a
/// propagator, an inner handler that rewrites the URL, activity propagation switched off for the process).
/// </summary>
public sealed class RedirectTests
{
    public static readonly TheoryData<string, int, bool> Cases = Combine(
        ["downstream", "no-hook", "rewrites", "no-hook-rewrites", "plain"],
        [302, 307],
        [false, true]);

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task RedirectToANonTarget_CarriesNoTraceHeader_OnAnyClient(string client, int status, bool userinfoTrick)
    {
        await using var target = await EchoServer.StartAsync();
        await using var other = await EchoServer.StartAsync();
        await using var app = App(target);

        await CallAsync(app, target, RedirectUrl(target, other, status, userinfoTrick), client);

        Assert.Matches("^[0-9a-f]{32}-[0-9a-f]{16}-1$", target.Single("/redirect")["sentry-trace"]);
        Assert.Empty(other.Single("/landed").TraceHeadersPresent);
    }

    [Theory]
    [InlineData("rewrites")]
    [InlineData("no-hook-rewrites")]
    public async Task UrlRewrittenByAnInnerHandler_ToANonTarget_CarriesNoTraceHeader(string client)
    {
        await using var target = await EchoServer.StartAsync();
        await using var other = await EchoServer.StartAsync();
        await using var app = App(target);

        await CallAsync(app, target, other.LocalhostAddress + "landed", client);

        Assert.Empty(other.Single("/landed").TraceHeadersPresent);
        Assert.Empty(target.Received);
    }

    [Fact]
    public async Task RedirectToAnotherTarget_CarriesTheTraceOn_WhereTheLibraryFollowsTheRedirects()
    {
        await using var target = await EchoServer.StartAsync();
        await using var app = App(target);

        await CallAsync(app, target, target.BaseAddress + "redirect?status=307&to=" + Uri.EscapeDataString(target.BaseAddress + "landed"), "no-hook");

        var first = target.Single("/redirect")["sentry-trace"];
        Assert.Equal(first, target.Single("/landed")["sentry-trace"]);
    }

    [Fact]
    public async Task ActivityPropagationSwitchedOff_ForTheProcess_NoClientLeaksOnARedirect()
    {
        await using var target = await EchoServer.StartAsync();
        await using var other = await EchoServer.StartAsync();
        await using var app = await AppProcess.StartAsync(
            new Dictionary<string, string> { ["DOTNET_SYSTEM_NET_HTTP_ENABLEACTIVITYPROPAGATION"] = "false" },
            $"--Tracing:TracePropagationTargets:0=^{target.BaseAddress}");

        foreach (var plain in new[] { false, true })
        {
            foreach (var status in new[] { 302, 307 })
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"/call?plain={plain}&url={Uri.EscapeDataString(RedirectUrl(target, other, status, userinfoTrick: false))}");
                request.Headers.Add("sentry-trace", $"{ActivityTraceId.CreateRandom().ToHexString()}-b7ad6b7169203331-1");
                (await app.Client.SendAsync(request)).EnsureSuccessStatusCode();
            }
        }

        Assert.Equal(4, other.Received.Count);
        Assert.All(other.Received, r => Assert.Empty(r.TraceHeadersPresent));

        // The factory client still carries the trace to the target, and the plain one (no .NET hook at all) nothing.
        Assert.Equal(2, target.Received.Count(r => r.Headers.ContainsKey("sentry-trace")));
    }

    private static string RedirectUrl(EchoServer target, EchoServer other, int status, bool userinfoTrick)
    {
        // http://127.0.0.1:TARGET@localhost:OTHER/ names the target only as userinfo: the host is the other one.
        var landing = userinfoTrick ? $"http://127.0.0.1:{target.BaseAddress.Port}@localhost:{other.BaseAddress.Port}/landed" : other.LocalhostAddress + "landed";
        return target.BaseAddress + $"redirect?status={status}&to={Uri.EscapeDataString(landing)}";
    }

    /// <summary>
    /// The app with its targets held to the target server, and named clients of every kind: "no-hook" has a primary
    /// handler without a header propagator; "rewrites" has an inner handler that points requests for /go elsewhere.
    /// </summary>
    private static WebApplicationFactory<MinimalApp.Program> App(EchoServer target) =>
        TestHosts.Minimal(new() { ["Tracing:TracesSampleRate"] = "1", ["Tracing:TracePropagationTargets:0"] = $"^{target.BaseAddress}" })
            .WithWebHostBuilder(builder => builder.ConfigureServices(services =>
            {
                services.AddHttpClient("no-hook").ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { ActivityHeadersPropagator = null });
                services.AddHttpClient("rewrites").AddHttpMessageHandler(() => new RewritingHandler(target));
                services.AddHttpClient("no-hook-rewrites")
                    .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { ActivityHeadersPropagator = null })
                    .AddHttpMessageHandler(() => new RewritingHandler(target));
            }));

    private static async Task CallAsync(WebApplicationFactory<MinimalApp.Program> app, EchoServer target, string url, string client)
    {
        var plain = client == "plain";

        // The rewriting clients are sent to the target's /go, which their inner handler points at the redirect.
        var sent = client.EndsWith("rewrites", StringComparison.Ordinal) ? target.BaseAddress + "go?next=" + Uri.EscapeDataString(url) : url;
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/call?url={Uri.EscapeDataString(sent)}&plain={plain}&client={(plain ? "downstream" : client)}");
        request.Headers.Add("sentry-trace", $"{ActivityTraceId.CreateRandom().ToHexString()}-b7ad6b7169203331-1");
        using var response = await app.CreateClient().SendAsync(request);
        response.EnsureSuccessStatusCode();
    }

    private static TheoryData<string, int, bool> Combine(string[] clients, int[] statuses, bool[] tricks)
    {
        var data = new TheoryData<string, int, bool>();
        foreach (var client in clients)
        {
            foreach (var status in statuses)
            {
                foreach (var trick in tricks)
                {
                    data.Add(client, status, trick);
                }
            }
        }

        return data;
    }

    /// <summary>Service discovery in miniature: a request for the target's /go goes to the URL in its ?next= instead.</summary>
    private sealed class RewritingHandler(EchoServer target) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri is { AbsolutePath: "/go" } uri && uri.Port == target.BaseAddress.Port)
            {
                var next = System.Web.HttpUtility.ParseQueryString(uri.Query)["next"]!;
                request.RequestUri = new Uri(next);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
