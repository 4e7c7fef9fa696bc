using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TraceMiddleware.IntegrationTests.Infrastructure;

/// <summary>
/// A real Kestrel server on 127.0.0.1 that records the headers of every request it receives and answers
/// them as JSON; <c>/redirect?to=URL</c> answers 302 to URL. It is what an outgoing call really reaches.
/// </summary>
public sealed class EchoServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EchoServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    /// <summary>http://127.0.0.1:PORT/</summary>
    public Uri BaseAddress { get; }

    /// <summary>http://localhost:PORT/ — the same server under another host name.</summary>
    public Uri LocalhostAddress => new($"http://localhost:{BaseAddress.Port}/");

    public ConcurrentQueue<ReceivedRequest> Received { get; } = new();

    public static async Task<EchoServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        EchoServer? server = null;
        app.Run(async context =>
        {
            var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
            server!.Received.Enqueue(new ReceivedRequest(context.Request.Path + context.Request.QueryString, headers));
            if (context.Request.Path == "/redirect")
            {
                context.Response.Redirect(context.Request.Query["to"].ToString());
                return;
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(JsonSerializer.Serialize(headers));
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server = new EchoServer(app, new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/"));
        return server;
    }

    public ReceivedRequest Single(string pathPrefix) => Assert.Single(Received, r => r.PathAndQuery.StartsWith(pathPrefix, StringComparison.Ordinal));

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

public sealed record ReceivedRequest(string PathAndQuery, IReadOnlyDictionary<string, string> Headers)
{
    public string? this[string name] => Headers.TryGetValue(name, out var v) ? v : null;

    public static readonly string[] TraceHeaderNames = ["sentry-trace", "baggage", "traceparent", "tracestate", "request-id", "correlation-context"];

    public IEnumerable<string> TraceHeadersPresent => TraceHeaderNames.Where(Headers.ContainsKey);
}
