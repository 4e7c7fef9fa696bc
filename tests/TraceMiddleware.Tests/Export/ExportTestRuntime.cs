using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TraceMiddleware.Configuration;
using TraceMiddleware.DependencyInjection;
using TraceMiddleware.Testing;
using TraceMiddleware.Tracing;

namespace TraceMiddleware.Tests.Export;

/// <summary>A host's tracing runtime without a host, and a tracer to make spans with it.</summary>
public sealed class ExportTestRuntime
{
    public ExportTestRuntime(Action<TracingOptions>? configure = null)
    {
        var options = new TracingOptions { TracesSampleRate = 1, Release = "shop@1.0", Environment = "test" };
        configure?.Invoke(options);
        Runtime = new TracingRuntime(Options.Create(options), null, Logs.CreateFactory());
        Tracer = new SentryTracer(Runtime);
    }

    public CapturingLoggerProvider Logs { get; } = new();

    internal TracingRuntime Runtime { get; }

    public SentryTracer Tracer { get; }

    /// <summary>Runs a transaction with <paramref name="children"/> child spans, all finished inside it.</summary>
    public string Transaction(string name = "job", int children = 0)
    {
        using var root = Tracer.StartTransaction(name)!;
        for (var i = 0; i < children; i++)
        {
            using var child = Tracer.StartSpan("child " + i, "db.query");
        }

        return root.TraceId.ToHexString();
    }
}
