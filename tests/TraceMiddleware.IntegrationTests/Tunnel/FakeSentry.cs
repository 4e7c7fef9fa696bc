using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using TraceMiddleware.Testing;

namespace TraceMiddleware.IntegrationTests.Tunnel;

/// <summary>
/// A real Kestrel server on 127.0.0.1 standing in for Sentry: it keeps the raw bytes and headers of every
/// envelope posted to it and answers as told.
/// </summary>
public sealed class FakeSentry : IAsyncDisposable
{
    private WebApplication _app = null!;

    private FakeSentry()
    {
    }

    public int Port { get; private set; }

    public ConcurrentQueue<ReceivedEnvelope> Received { get; } = new();

    public int StatusCode { get; set; } = 200;

    public Dictionary<string, string> ResponseHeaders { get; } = [];

    public string ResponseBody { get; set; } = "{\"id\":\"4bf92f3577b34da6a3ce929d0e0e4736\"}";

    /// <summary>Never answer (until the caller gives up).</summary>
    public bool Hang { get; set; }

    /// <summary>A DSN pointing here: <c>http://{key}@{host}:{port}/{prefix}{project}</c>.</summary>
    public string Dsn(string project = "42", string key = "publickey", string host = "127.0.0.1", string prefix = "") =>
        $"http://{key}@{host}:{Port}/{prefix}{project}";

    public static async Task<FakeSentry> StartAsync()
    {
        var server = new FakeSentry();
        (server._app, var baseAddress) = await LoopbackServer.StartAsync(server.AnswerAsync);
        server.Port = baseAddress.Port;
        return server;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private async Task AnswerAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        Received.Enqueue(new ReceivedEnvelope(context.Request.Method, context.Request.Path + context.Request.QueryString, headers, body.ToArray()));
        if (Hang)
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }

        context.Response.StatusCode = StatusCode;
        foreach (var (name, value) in ResponseHeaders)
        {
            context.Response.Headers[name] = value;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(ResponseBody);
    }
}

public sealed record ReceivedEnvelope(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string? this[string name] => Headers.TryGetValue(name, out var v) ? v : null;
}
