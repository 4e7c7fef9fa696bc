using Microsoft.Extensions.Hosting;

namespace TraceMiddleware.Export;

/// <summary>
/// Runs the <see cref="ExportPipeline"/> with the host. It hooks in while the host is starting, before the
/// server accepts a request, and flushes once the host has stopped, after the server has finished its
/// requests, so the transactions of those last requests are exported too.
/// </summary>
internal sealed class TraceExportService : IHostedLifecycleService, IDisposable
{
    private readonly Func<ExportPipeline> _create;

    /// <param name="create">
    /// Builds the pipeline; called at start, not at construction: building reads the options, and a bad
    /// setting is for the host's start-up validation to report, with its key.
    /// </param>
    public TraceExportService(Func<ExportPipeline> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        _create = create;
    }

    /// <summary>The running pipeline; <see langword="null"/> until the host starts.</summary>
    public ExportPipeline? Pipeline { get; private set; }

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        Pipeline ??= _create();
        Pipeline.Start();
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Pipeline?.StopAsync(cancellationToken) ?? Task.CompletedTask;

    public void Dispose() => Pipeline?.Dispose();
}
