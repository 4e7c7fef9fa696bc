using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace TraceMiddleware.Testing;

/// <summary>
/// A real Kestrel server on 127.0.0.1 that records the headers of every request it receives and answers
/// them as JSON; <c>/redirect?to=URL</c> answers 302 to URL (<c>&amp;status=307</c> for another redirect status). It is what an outgoing call really reaches.
/// </summary>
public sealed class EchoServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EchoServer(WebApplication app, Uri baseAddress, ConcurrentQueue<ReceivedRequest> received)
    {
        _app = app;
        BaseAddress = baseAddress;
        Received = received;
    }

    /// <summary>http://127.0.0.1:PORT/</summary>
    public Uri BaseAddress { get; }

    /// <summary>http://localhost:PORT/ — the same server under another host name.</summary>
    public Uri LocalhostAddress => new($"http://localhost:{BaseAddress.Port}/");

    public ConcurrentQueue<ReceivedRequest> Received { get; }

    public static async Task<EchoServer> StartAsync()
    {
        var received = new ConcurrentQueue<ReceivedRequest>();
        var (app, baseAddress) = await LoopbackServer.StartAsync(context => AnswerAsync(context, received));
        return new EchoServer(app, baseAddress, received);
    }

    public ReceivedRequest Single(string pathPrefix) => Assert.Single(Received, r => r.PathAndQuery.StartsWith(pathPrefix, StringComparison.Ordinal));

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private static async Task AnswerAsync(HttpContext context, ConcurrentQueue<ReceivedRequest> received)
    {
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        received.Enqueue(new ReceivedRequest(context.Request.Path + context.Request.QueryString, headers));
        if (context.Request.Path == "/redirect")
        {
            // 302 by default; ?status=307 (or 301, 303, 308) for the others.
            context.Response.StatusCode = int.TryParse(context.Request.Query["status"], out var status) ? status : StatusCodes.Status302Found;
            context.Response.Headers.Location = context.Request.Query["to"].ToString();
            return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(headers));
    }
}
