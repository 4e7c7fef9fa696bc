using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TraceMiddleware.IntegrationTests.Tunnel;

/// <summary>
/// A real Kestrel server on 127.0.0.1 standing in for Sentry: it keeps the raw bytes and headers of every
/// envelope posted to it and answers as told.
/// </summary>
public sealed class FakeSentry : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeSentry(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

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
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        FakeSentry? server = null;
        app.Run(async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
            server!.Received.Enqueue(new ReceivedEnvelope(context.Request.Method, context.Request.Path + context.Request.QueryString, headers, body.ToArray()));
            if (server.Hang)
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }

            context.Response.StatusCode = server.StatusCode;
            foreach (var (name, value) in server.ResponseHeaders)
            {
                context.Response.Headers[name] = value;
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(server.ResponseBody);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server = new FakeSentry(app, new Uri(address).Port);
        return server;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

public sealed record ReceivedEnvelope(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string? this[string name] => Headers.TryGetValue(name, out var v) ? v : null;
}
