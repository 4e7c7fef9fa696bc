using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using TraceMiddleware.Testing;

namespace TraceMiddleware.PackageTests.Infrastructure;

/// <summary>
/// Stands in for an OpenTelemetry collector on loopback (OTLP over HTTP with protobuf). Protobuf carries trace and span
/// ids as their raw bytes, so a test finds a span's ids in an export without decoding it.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    private readonly List<(string Path, byte[] Body)> _exports = [];
    private WebApplication? _app;

    private OtlpReceiver()
    {
    }

    /// <summary>The value of OTEL_EXPORTER_OTLP_ENDPOINT for this receiver.</summary>
    public string Endpoint { get; private set; } = null!;

    public static async Task<OtlpReceiver> StartAsync()
    {
        var receiver = new OtlpReceiver();
        (receiver._app, var address) = await LoopbackServer.StartAsync(receiver.ReceiveAsync);
        receiver.Endpoint = address.ToString().TrimEnd('/');
        return receiver;
    }

    /// <summary>Waits for a trace export to /v1/traces that holds every id of <paramref name="hexIds"/>.</summary>
    public async Task WaitForTraceExportAsync(params string[] hexIds)
    {
        var ids = hexIds.Select(Convert.FromHexString).ToList();
        var deadline = DateTime.UtcNow + s_wait;
        while (DateTime.UtcNow < deadline)
        {
            lock (_exports)
            {
                if (_exports.Any(e => e.Path == "/v1/traces" && ids.All(id => e.Body.AsSpan().IndexOf(id) >= 0)))
                {
                    return;
                }
            }

            await Task.Delay(50);
        }

        lock (_exports)
        {
            throw new TimeoutException(
                $"No OTLP trace export with the ids {string.Join(", ", hexIds)} arrived within {s_wait}; received: [{string.Join(", ", _exports.Select(e => $"{e.Path} ({e.Body.Length} bytes)"))}].");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private async Task ReceiveAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        lock (_exports)
        {
            _exports.Add((context.Request.Path.Value ?? string.Empty, body.ToArray()));
        }

        // An empty ExportTraceServiceResponse: full success.
        context.Response.ContentType = "application/x-protobuf";
    }
}
