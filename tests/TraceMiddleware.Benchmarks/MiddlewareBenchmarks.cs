using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace TraceMiddleware.Benchmarks;

/// <summary>
/// What the tracing middleware adds to one request, without the server around it: a pipeline built from the
/// running app's services (so the export loop runs, to a discarding exporter), invoked with a fresh
/// <see cref="DefaultHttpContext"/> carrying <c>sentry-trace</c> and the 10-member <c>baggage</c>. Bare is the
/// same pipeline without <c>UseTracing()</c>. The difference is tracing's time per request, free of the
/// server and client noise that hides it in <see cref="PipelineBenchmarks"/>.
/// </summary>
/// <remarks>Activity listeners are process-wide; each method runs in a process of its own (BenchmarkDotNet's default).</remarks>
[MemoryDiagnoser]
public class MiddlewareBenchmarks
{
    private WebApplication _app = null!;
    private RequestDelegate _pipeline = null!;
    private string _sentryTrace = PipelineBenchmarks.SampledSentryTrace;
    private string _baggage = PipelineBenchmarks.BaggageFor(sampled: true);

    [GlobalSetup(Target = nameof(Bare))]
    public Task SetupBare() => StartAsync(tracing: false, sampled: true);

    [GlobalSetup(Target = nameof(TracingSampled))]
    public Task SetupSampled() => StartAsync(tracing: true, sampled: true);

    [GlobalSetup(Target = nameof(TracingUnsampled))]
    public Task SetupUnsampled() => StartAsync(tracing: true, sampled: false);

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    [Benchmark(Baseline = true)]
    public Task Bare() => InvokeAsync();

    [Benchmark]
    public Task TracingSampled() => InvokeAsync();

    [Benchmark]
    public Task TracingUnsampled() => InvokeAsync();

    private Task InvokeAsync()
    {
        var context = new DefaultHttpContext();
        var request = context.Request;
        request.Method = HttpMethods.Get;
        request.Scheme = "http";
        request.Host = new HostString("localhost");
        request.Path = "/orders/42";
        request.Headers["sentry-trace"] = _sentryTrace;
        request.Headers["baggage"] = _baggage;
        return _pipeline(context);
    }

    private async Task StartAsync(bool tracing, bool sampled)
    {
        using (var ours = new ActivitySource(TraceMiddleware.Tracing.TraceMiddlewareActivitySource.Name))
        {
            if (ours.HasListeners())
            {
                throw new InvalidOperationException("An activity listener is already active in this process.");
            }
        }

        _app = PipelineBenchmarks.CreateBuilder(tracing ? new DiscardingTraceExporter() : null).Build();
        await _app.StartAsync();

        var pipeline = new ApplicationBuilder(_app.Services);
        if (tracing)
        {
            pipeline.UseTracing();
        }

        pipeline.Run(static context =>
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            return Task.CompletedTask;
        });
        _pipeline = pipeline.Build();
        _sentryTrace = sampled ? PipelineBenchmarks.SampledSentryTrace : PipelineBenchmarks.UnsampledSentryTrace;
        _baggage = PipelineBenchmarks.BaggageFor(sampled);
        await InvokeAsync();
    }
}
