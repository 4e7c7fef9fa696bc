using Microsoft.Extensions.Logging;

namespace TraceMiddleware.Export.Console;

/// <summary>One host's place in the <see cref="ConsoleTraceMerger"/>: its logger, until it detaches.</summary>
internal sealed class ConsoleTraceSink : IDisposable
{
    private readonly ConsoleTraceMerger _merger;

    internal ConsoleTraceSink(ConsoleTraceMerger merger, ILogger logger)
    {
        _merger = merger;
        Logger = logger;
    }

    internal ILogger Logger { get; }

    /// <summary>Read and written under the merger's lock only.</summary>
    internal bool Attached { get; set; } = true;

    /// <summary>Detaches: waiting trees that no attached host contributed to are logged now, through this host.</summary>
    public void Dispose() => _merger.Detach(this);
}
