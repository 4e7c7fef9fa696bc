using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TraceMiddleware.Export.InMemory;
using TraceMiddleware.Testing;

namespace TraceMiddleware.InteropTests.Infrastructure;

/// <summary>
/// An ASP.NET Core service of ours on a real loopback port, configured only by <c>AddTracing()</c> and
/// settings. <c>GET /api/orders/{id}?next=URL&amp;plain=URL</c> calls each <c>next</c> with an
/// <c>IHttpClientFactory</c> client and each <c>plain</c> with a <c>new HttpClient()</c>, in that order,
/// and answers a <see cref="ServiceReport"/>. What it exports is kept in <see cref="Exported"/>.
/// </summary>
public sealed class TracedService : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TracedService(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    /// <summary>http://127.0.0.1:PORT/</summary>
    public Uri BaseAddress { get; }

    /// <summary>The transactions this service exported (kept after it is disposed, which flushes).</summary>
    public InMemoryTraceExporter Exported => _app.Services.GetRequiredService<InMemoryTraceExporter>();

    public static async Task<TracedService> StartAsync(IReadOnlyDictionary<string, string?> settings)
    {
        SpanCollector.EnsureStarted();
        var (started, baseAddress) = await LoopbackServer.StartAsync(
            app =>
            {
                app.MapGet("/api/orders/{id}", async (string id, HttpContext context, IHttpClientFactory factory) =>
                {
                    var span = SpanReport.Current();
                    var received = new Dictionary<string, string>();
                    foreach (var name in ReceivedRequest.TraceHeaderNames)
                    {
                        if (context.Request.Headers.TryGetValue(name, out var value))
                        {
                            received[name] = value.ToString();
                        }
                    }

                    var calls = new List<CallReport>();
                    foreach (var url in context.Request.Query["next"])
                    {
                        var client = factory.CreateClient("downstream");
                        calls.Add(await CallAsync(client, url!, plain: false, context.RequestAborted));
                    }

                    foreach (var url in context.Request.Query["plain"])
                    {
                        using var client = new HttpClient();
                        calls.Add(await CallAsync(client, url!, plain: true, context.RequestAborted));
                    }

                    return Results.Json(new ServiceReport(span, received, calls), JsonDefaults.Web);
                });
            },
            builder =>
            {
                builder.Configuration.AddInMemoryCollection(settings);
                builder.Services.AddTracing();
                builder.Services.AddInMemoryTraceExporter();
            },
            new WebApplicationOptions { EnvironmentName = "Production" });
        return new TracedService(started, baseAddress);
    }

    /// <summary>The URL of the endpoint with the calls it is to make on.</summary>
    public Uri Orders(int id, IEnumerable<Uri>? next = null, IEnumerable<Uri>? plain = null)
    {
        var query = new List<string>();
        query.AddRange((next ?? []).Select(u => "next=" + Uri.EscapeDataString(u.ToString())));
        query.AddRange((plain ?? []).Select(u => "plain=" + Uri.EscapeDataString(u.ToString())));
        return new Uri(BaseAddress, $"api/orders/{id}" + (query.Count == 0 ? string.Empty : "?" + string.Join('&', query)));
    }

    /// <summary>Calls the endpoint with a client that adds no trace header: this service starts the trace.</summary>
    public async Task<ServiceReport> GetAsync(Uri url)
    {
        using var client = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = null }) { Timeout = Waits.Peer };
        return await client.GetFromJsonAsync<ServiceReport>(url, JsonDefaults.Web) ?? throw new InvalidOperationException("empty report");
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private static async Task<CallReport> CallAsync(HttpClient client, string url, bool plain, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(url, cancellationToken);
        return new CallReport(url, plain, (int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
    }
}
