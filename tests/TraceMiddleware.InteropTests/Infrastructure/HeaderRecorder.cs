using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TraceMiddleware.InteropTests.Infrastructure;

/// <summary>A loopback Kestrel server that answers <c>{}</c> and records the headers of every request.</summary>
public sealed class HeaderRecorder : IAsyncDisposable
{
    private readonly WebApplication _app;

    private HeaderRecorder(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    /// <summary>http://127.0.0.1:PORT/</summary>
    public Uri BaseAddress { get; }

    /// <summary>Every request: its path and query, and its headers by lower-case name.</summary>
    public ConcurrentQueue<(string PathAndQuery, IReadOnlyDictionary<string, string> Headers)> Received { get; } = new();

    public static async Task<HeaderRecorder> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        HeaderRecorder? recorder = null;
        app.Run(async context =>
        {
            var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
            recorder!.Received.Enqueue((context.Request.Path + context.Request.QueryString, headers));
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{}");
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        recorder = new HeaderRecorder(app, new Uri(address.TrimEnd('/') + "/"));
        return recorder;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
