using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace TraceMiddleware.Benchmarks;

/// <summary>
/// What tracing costs a request in process: one GET of the minimal API route <c>/orders/{id}</c> handed to
/// ASP.NET Core's hosting layer as a server hands it (create the context, run the pipeline, dispose it: the request
/// activity, its propagator, the middleware, the export), with no network and no client. Logging is at Warning, as
/// in production, so ASP.NET Core makes its request activity in every line (bare included). With
/// <see cref="CallerSendsTrace"/> every request carries <c>sentry-trace</c> and the 10-member <c>baggage</c> (the
/// caller decides: <c>-1</c> sampled, <c>-0</c> not); without, each request starts a trace (rate 1 or 0). Lines:
/// bare; the OpenTelemetry SDK recording ASP.NET Core's activity (AlwaysOn, batch processor, discarding exporter);
/// the same with OpenTelemetry's ASP.NET Core instrumentation, which names and tags the span as tracing does (the
/// like-for-like line); tracing, sampled, exported to a discarding exporter; tracing, not sampled.
/// </summary>
/// <remarks>Activity listeners are process-wide: each method runs in a process of its own (BenchmarkDotNet's default), checked at set-up.</remarks>
[MemoryDiagnoser]
public class HostingBenchmarks
{
    private WebApplication _app = null!;
    private IHttpApplication<object> _hosting = null!;
    private TracerProvider? _otel;
    private string? _sentryTrace;
    private string? _baggage;

    /// <summary>Whether requests arrive with a caller's trace (<c>sentry-trace</c> and <c>baggage</c>) or start one.</summary>
    [Params(true, false)]
    public bool CallerSendsTrace { get; set; }

    [GlobalSetup(Target = nameof(Bare))]
    public Task SetupBare() => StartAsync(nameof(Bare), tracing: false, sampled: true);

    [GlobalSetup(Target = nameof(OpenTelemetrySdk))]
    public Task SetupOpenTelemetry()
    {
        PipelineBenchmarks.EnsureAlone(nameof(OpenTelemetrySdk));
        _otel = Sdk.CreateTracerProviderBuilder()
            .AddSource("Microsoft.AspNetCore")
            .SetSampler(new AlwaysOnSampler())
            .AddProcessor(new BatchActivityExportProcessor(new DiscardingActivityExporter()))
            .Build();
        return StartAsync(null, tracing: false, sampled: true);
    }

    [GlobalSetup(Target = nameof(OpenTelemetryInstrumented))]
    public Task SetupOpenTelemetryInstrumented()
    {
        PipelineBenchmarks.EnsureAlone(nameof(OpenTelemetryInstrumented));
        _otel = Sdk.CreateTracerProviderBuilder()
            .AddAspNetCoreInstrumentation()
            .SetSampler(new AlwaysOnSampler())
            .AddProcessor(new BatchActivityExportProcessor(new DiscardingActivityExporter()))
            .Build();
        return StartAsync(null, tracing: false, sampled: true);
    }

    [GlobalSetup(Target = nameof(TracingSampled))]
    public Task SetupSampled() => StartAsync(nameof(TracingSampled), tracing: true, sampled: true);

    [GlobalSetup(Target = nameof(TracingUnsampled))]
    public Task SetupUnsampled() => StartAsync(nameof(TracingUnsampled), tracing: true, sampled: false);

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _otel?.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task Bare() => RequestAsync();

    [Benchmark]
    public Task OpenTelemetrySdk() => RequestAsync();

    [Benchmark]
    public Task OpenTelemetryInstrumented() => RequestAsync();

    [Benchmark]
    public Task TracingSampled() => RequestAsync();

    [Benchmark]
    public Task TracingUnsampled() => RequestAsync();

    private async Task RequestAsync()
    {
        var features = new FeatureCollection();
        var request = new HttpRequestFeature
        {
            Method = HttpMethods.Get,
            Scheme = "http",
            Path = "/orders/42",
            Protocol = "HTTP/1.1",
        };
        request.Headers.Host = "localhost";
        if (_sentryTrace is not null)
        {
            request.Headers["sentry-trace"] = _sentryTrace;
            request.Headers["baggage"] = _baggage;
        }

        features.Set<IHttpRequestFeature>(request);
        features.Set<IHttpResponseFeature>(new HttpResponseFeature());
        features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null));

        var context = _hosting.CreateContext(features);
        try
        {
            await _hosting.ProcessRequestAsync(context);
        }
        finally
        {
            _hosting.DisposeContext(context, null);
        }
    }

    private async Task StartAsync(string? configuration, bool tracing, bool sampled)
    {
        if (configuration is not null)
        {
            PipelineBenchmarks.EnsureAlone(configuration);
        }

        var builder = PipelineBenchmarks.CreateBuilder(tracing ? new DiscardingTraceExporter() : null, sampleRate: sampled ? 1 : 0, loggingAtWarning: true);
        var server = new CapturingServer();
        builder.Services.AddSingleton<IServer>(server);
        _app = builder.Build();
        _app.MapGet("/orders/{id}", static (string id) => Results.Text("order " + id));
        await _app.StartAsync();
        _hosting = server.Application!;
        _sentryTrace = !CallerSendsTrace ? null : sampled ? PipelineBenchmarks.SampledSentryTrace : PipelineBenchmarks.UnsampledSentryTrace;
        _baggage = CallerSendsTrace ? PipelineBenchmarks.BaggageFor(sampled) : null;
        await RequestAsync();
    }

    /// <summary>A server that listens nowhere and hands its application to the benchmark.</summary>
    private sealed class CapturingServer : IServer
    {
        public IFeatureCollection Features { get; } = new FeatureCollection();

        public IHttpApplication<object>? Application { get; private set; }

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
            where TContext : notnull
        {
            Application = new Untyped<TContext>(application);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose()
        {
        }
    }

    private sealed class Untyped<TContext>(IHttpApplication<TContext> inner) : IHttpApplication<object>
        where TContext : notnull
    {
        public object CreateContext(IFeatureCollection contextFeatures) => inner.CreateContext(contextFeatures);

        public Task ProcessRequestAsync(object context) => inner.ProcessRequestAsync((TContext)context);

        public void DisposeContext(object context, Exception? exception) => inner.DisposeContext((TContext)context, exception);
    }
}
