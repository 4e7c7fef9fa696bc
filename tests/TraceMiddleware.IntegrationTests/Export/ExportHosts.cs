using System.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TraceMiddleware.Export;
using TraceMiddleware.IntegrationTests.Infrastructure;
using TraceMiddleware.Testing;

namespace TraceMiddleware.IntegrationTests.Export;

/// <summary>The minimal app with per-test export settings, exporters and a captured log.</summary>
public static class ExportHosts
{
    public static WebApplicationFactory<MinimalApp.Program> Minimal(
        Dictionary<string, string?> settings,
        Action<IServiceCollection>? services = null,
        CapturingLoggerProvider? logs = null,
        string environment = "Production") =>
        TestHosts.Minimal(settings).WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment(environment);
            if (services is not null)
            {
                builder.ConfigureServices(services);
            }

            if (logs is not null)
            {
                builder.ConfigureLogging(l => l.AddProvider(logs));
            }
        });

    /// <summary>Settings under which every request is sampled.</summary>
    public static Dictionary<string, string?> SampledSettings => new() { ["Tracing:TracesSampleRate"] = "1" };

    /// <summary>A request that continues a sampled trace with a fresh id, so each test knows its traces.</summary>
    public static async Task<string> GetSampledAsync(HttpClient client, string path, bool ensureSuccess = true)
    {
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("sentry-trace", $"{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-1");
        using var response = await client.SendAsync(request);
        if (ensureSuccess)
        {
            response.EnsureSuccessStatusCode();
        }

        return traceId;
    }

    internal static ExportPipeline Pipeline(this WebApplicationFactory<MinimalApp.Program> factory) =>
        factory.Services.GetRequiredService<TraceExportService>().Pipeline!;
}
