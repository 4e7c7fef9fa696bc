using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TraceMiddleware.Testing;

namespace TraceMiddleware.IntegrationTests.Tunnel;

/// <summary>
/// An app with <c>MapSentryTunnel("/monitoring")</c> on a real loopback Kestrel, so that the client address
/// and the server's body-size limit are real; <c>/page</c> is a traced control endpoint.
/// </summary>
public sealed class TunnelApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TunnelApp(WebApplication app, Uri baseAddress)
    {
        _app = app;
        Client = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = null }) { BaseAddress = baseAddress };
    }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Stops the host (its export pipeline flushes) without disposing it.</summary>
    public Task StopAsync() => _app.StopAsync();

    public static async Task<TunnelApp> StartAsync(Dictionary<string, string?> settings, Action<WebApplication>? map = null, CapturingLoggerProvider? logs = null, long? serverBodyLimit = null, string? environment = null)
    {
        SpanCollector.EnsureStarted();
        var (started, baseAddress) = await LoopbackServer.StartAsync(
            app =>
            {
                if (map is null)
                {
                    app.MapSentryTunnel("/monitoring");
                }
                else
                {
                    map(app);
                }

                app.MapGet("/page", () => System.Diagnostics.Activity.Current?.TraceId.ToHexString() ?? "none");
            },
            builder =>
            {
                if (logs is not null)
                {
                    builder.Logging.AddProvider(logs).AddFilter("TraceMiddleware", LogLevel.Debug);
                }

                if (serverBodyLimit is not null)
                {
                    builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = serverBodyLimit);
                }

                builder.Configuration.AddInMemoryCollection(settings);
                builder.Services.AddTracing();
            },
            environment is null ? null : new WebApplicationOptions { EnvironmentName = environment });
        return new TunnelApp(started, baseAddress);
    }

    public async Task<HttpResponseMessage> PostAsync(byte[] body, string? contentEncoding = null, string path = "/monitoring", Action<HttpRequestMessage>? configure = null, bool chunked = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        HttpContent content = chunked ? new StreamContent(new NonSeekableStream(body)) : new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("text/plain;charset=UTF-8");
        if (contentEncoding is not null)
        {
            content.Headers.ContentEncoding.Add(contentEncoding);
        }

        request.Content = content;
        configure?.Invoke(request);
        return await Client.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.DisposeAsync();
    }

    /// <summary>A stream of unknown length, so that the body goes chunked, without Content-Length.</summary>
    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
