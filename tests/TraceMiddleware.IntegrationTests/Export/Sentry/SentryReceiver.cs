using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using TraceMiddleware.Configuration;
using TraceMiddleware.Export.Sentry;
using TraceMiddleware.Testing;

namespace TraceMiddleware.IntegrationTests.Export.Sentry;

/// <summary>
/// A Sentry receiver the test controls: real Kestrel on 127.0.0.1, one scripted behaviour per request
/// (answer with a status and headers, hang, or drop the connection), 200 once the script runs out.
/// </summary>
public sealed class SentryReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<Func<HttpContext, Task>> _script = new();
    private WebApplication _app = null!;
    private int _attempts;

    private SentryReceiver()
    {
    }

    public int Port { get; private set; }

    /// <summary>A DSN whose envelope endpoint is this receiver.</summary>
    internal SentryDsn Dsn => SentryDsn.Parse($"http://publickey@127.0.0.1:{Port}/42");

    /// <summary>Requests that reached the handler, whatever happened to them.</summary>
    public int Attempts => Volatile.Read(ref _attempts);

    /// <summary>Envelopes read in full and answered by a scripted status (or the default 200).</summary>
    public ConcurrentQueue<ReceivedEnvelope> Received { get; } = new();

    public static async Task<SentryReceiver> StartAsync()
    {
        var receiver = new SentryReceiver();
        (receiver._app, var baseAddress) = await LoopbackServer.StartAsync(app => app.MapPost("/api/{project}/envelope/", receiver.HandleAsync));
        receiver.Port = baseAddress.Port;
        return receiver;
    }

    /// <summary>A receiver on <paramref name="port"/> (say one that was <see cref="ClosedPort"/> until now: a receiver that comes back).</summary>
    public static async Task<SentryReceiver> StartAsync(int port)
    {
        var receiver = new SentryReceiver { Port = port };
        (receiver._app, _) = await LoopbackServer.StartAsync(
            app => app.MapPost("/api/{project}/envelope/", receiver.HandleAsync),
            builder => builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port)));
        return receiver;
    }

    /// <summary>A loopback port nothing listens on: connections are refused at once.</summary>
    public static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>What every request gets once the script is used up; by default a 200.</summary>
    public Func<HttpContext, Task>? Always { get; set; }

    public SentryReceiver Then(Func<HttpContext, Task> behaviour)
    {
        _script.Enqueue(behaviour);
        return this;
    }

    public SentryReceiver ThenRespond(int status, params (string Name, string Value)[] headers) => Then(context => Respond(context, status, headers));

    /// <summary>Never answers; the request ends when the client gives up.</summary>
    public SentryReceiver ThenHang() => Then(async context =>
    {
        try
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
        }
    });

    /// <summary>Closes the connection before reading the body or answering.</summary>
    public SentryReceiver ThenAbort() => Then(context =>
    {
        context.Abort();
        return Task.CompletedTask;
    });

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _attempts);
        if (_script.TryDequeue(out var behaviour))
        {
            await behaviour(context);
        }
        else if (Always is { } always)
        {
            await always(context);
        }
        else
        {
            await Respond(context, 200, []);
        }
    }

    internal async Task Respond(HttpContext context, int status, (string Name, string Value)[] headers)
    {
        var raw = new MemoryStream();
        await context.Request.Body.CopyToAsync(raw, context.RequestAborted);
        var encoding = context.Request.Headers.ContentEncoding.ToString();
        var body = raw.ToArray();
        if (encoding == "gzip")
        {
            using var gzip = new GZipStream(new MemoryStream(body), CompressionMode.Decompress);
            var plain = new MemoryStream();
            await gzip.CopyToAsync(plain);
            body = plain.ToArray();
        }

        var requestHeaders = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        Received.Enqueue(new ReceivedEnvelope(requestHeaders, raw.ToArray(), body, status));
        context.Response.StatusCode = status;
        foreach (var (name, value) in headers)
        {
            context.Response.Headers.Append(name, value);
        }
    }
}
