using System.Diagnostics;
using OpenTelemetry;

namespace TraceMiddleware.Benchmarks;

/// <summary>OpenTelemetry's side of <see cref="DiscardingTraceExporter"/>: counts the spans of a batch and keeps none.</summary>
public sealed class DiscardingActivityExporter : BaseExporter<Activity>
{
    private long _spans;

    public long Spans => Interlocked.Read(ref _spans);

    public override ExportResult Export(in Batch<Activity> batch)
    {
        Interlocked.Add(ref _spans, batch.Count);
        return ExportResult.Success;
    }
}
