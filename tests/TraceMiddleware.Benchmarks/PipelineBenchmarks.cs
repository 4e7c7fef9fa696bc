using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Trace;
using TraceMiddleware.Tracing;

namespace TraceMiddleware.Benchmarks;

/// <summary>
/// One GET through the real ASP.NET Core pipeline in process (TestServer, minimal API route
/// <c>/orders/{id}</c>), every request carrying <c>sentry-trace</c> and a 10-member <c>baggage</c>:
/// bare; with tracing continuing the trace, sampled, exported to a discarding exporter; the same
/// service with the caller's decision <c>-0</c> (unsampled); and the OpenTelemetry SDK recording
/// ASP.NET Core's own activity (AlwaysOn, batch processor, discarding exporter).
/// </summary>
/// <remarks>
/// <see cref="ActivityListener"/>s are process-wide, so no configuration may see another's. BenchmarkDotNet
/// runs every benchmark method in a process of its own; <see cref="EnsureAlone"/> checks it: a set-up that
/// finds another configuration, or any listener on the two sources, in its process fails the run.
/// Logging is off in every configuration: with a logger enabled ASP.NET Core starts an activity per request
/// of its own, in every line alike.
/// </remarks>
[MemoryDiagnoser]
public class PipelineBenchmarks
{
    public const string SampledSentryTrace = "771a43a4192642f0b136d5159a501700-b7ad6b7169203331-1";
    public const string UnsampledSentryTrace = "771a43a4192642f0b136d5159a501700-b7ad6b7169203331-0";

    private static string? s_configuration;

    private WebApplication? _app;
    private HttpClient _client = null!;
    private TracerProvider? _otel;
    private DiscardingTraceExporter? _exporter;
    private DiscardingActivityExporter? _otelExporter;

    public static string BaggageFor(bool sampled) =>
        "sentry-environment=production,sentry-release=shop%401.4.0,sentry-public_key=abc123,sentry-trace_id=771a43a4192642f0b136d5159a501700,"
        + $"sentry-transaction=GET%20%2Fcheckout,sentry-sampled={(sampled ? "true" : "false")},sentry-sample_rand=0.3276234201731898,sentry-sample_rate=1,"
        + "userId=alice,serverNode=DF%2028";

    [GlobalSetup(Target = nameof(Bare))]
    public Task SetupBare() => StartAsync(nameof(Bare), tracing: false, sampled: true);

    [GlobalSetup(Target = nameof(TracingSampled))]
    public Task SetupSampled() => StartAsync(nameof(TracingSampled), tracing: true, sampled: true);

    [GlobalSetup(Target = nameof(TracingUnsampled))]
    public Task SetupUnsampled() => StartAsync(nameof(TracingUnsampled), tracing: true, sampled: false);

    [GlobalSetup(Target = nameof(OpenTelemetrySdk))]
    public Task SetupOpenTelemetry()
    {
        EnsureAlone(nameof(OpenTelemetrySdk));
        _otelExporter = new DiscardingActivityExporter();
        _otel = Sdk.CreateTracerProviderBuilder()
            .AddSource("Microsoft.AspNetCore")
            .SetSampler(new AlwaysOnSampler())
            .AddProcessor(new BatchActivityExportProcessor(_otelExporter))
            .Build();
        return StartAsync(null, tracing: false, sampled: true);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _client.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        _otel?.ForceFlush();
        _otel?.Dispose();
        Console.WriteLine($"// exported: {_exporter?.Transactions ?? 0} transactions (ours), {_otelExporter?.Spans ?? 0} spans (OpenTelemetry)");
    }

    [Benchmark(Baseline = true)]
    public Task<int> Bare() => SendAsync();

    [Benchmark]
    public Task<int> TracingSampled() => SendAsync();

    [Benchmark]
    public Task<int> TracingUnsampled() => SendAsync();

    [Benchmark]
    public Task<int> OpenTelemetrySdk() => SendAsync();

    private async Task<int> SendAsync()
    {
        using var response = await _client.GetAsync("/orders/42");
        return (int)response.StatusCode;
    }

    private async Task StartAsync(string? configuration, bool tracing, bool sampled)
    {
        if (configuration is not null)
        {
            EnsureAlone(configuration);
        }

        _exporter = tracing ? new DiscardingTraceExporter() : null;
        var builder = CreateBuilder(_exporter);

        _app = builder.Build();
        _app.MapGet("/orders/{id}", static (string id) => Results.Text("order " + id));
        await _app.StartAsync();
        _client = _app.GetTestClient();
        _client.DefaultRequestHeaders.TryAddWithoutValidation("sentry-trace", sampled ? SampledSentryTrace : UnsampledSentryTrace);
        _client.DefaultRequestHeaders.TryAddWithoutValidation("baggage", BaggageFor(sampled));

        if (await SendAsync() != StatusCodes.Status200OK)
        {
            throw new InvalidOperationException("The app did not answer 200.");
        }
    }

    /// <summary>
    /// An app on <c>TestServer</c> with logging off; with an exporter, tracing on (every request sampled) and
    /// exporting to it. The set-up every in-process benchmark of the pipeline shares.
    /// </summary>
    public static WebApplicationBuilder CreateBuilder(DiscardingTraceExporter? exporter, double sampleRate = 1, bool loggingAtWarning = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        if (loggingAtWarning)
        {
            // Enabled at Warning, as in production, writing nowhere: ASP.NET Core then makes its request activity.
            builder.Logging.AddProvider(new DiscardingLoggerProvider());
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
        }

        if (exporter is not null)
        {
            builder.Services.AddTracing(o =>
            {
                o.TracesSampleRate = sampleRate;
                o.ConsoleExporter = false;
                o.Release = "shop@1.4.0";
                o.Environment = "production";
            });
            builder.Services.AddTraceExporter(exporter);
        }

        return builder;
    }

    internal static void EnsureAlone(string configuration)
    {
        if (s_configuration is { } other)
        {
            throw new InvalidOperationException($"{configuration} would share process {Environment.ProcessId} with {other}: their activity listeners would mix.");
        }

        s_configuration = configuration;
        using var aspNetCore = new ActivitySource("Microsoft.AspNetCore");
        using var ours = new ActivitySource(TraceMiddlewareActivitySource.Name);
        if (aspNetCore.HasListeners() || ours.HasListeners())
        {
            throw new InvalidOperationException($"{configuration}: an activity listener is already active in process {Environment.ProcessId}.");
        }

        Console.WriteLine($"// {configuration}: process {Environment.ProcessId}, no activity listener active before set-up");
    }
}
