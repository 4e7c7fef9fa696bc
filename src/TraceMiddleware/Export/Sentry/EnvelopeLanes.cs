namespace TraceMiddleware.Export.Sentry;

/// <summary>
/// The exporter's <see cref="EnvelopeLane"/>s, one per concurrent send, made when first used and kept across
/// batches. Lane 0 writes with the exporter's own writer, the others with forks of it.
/// </summary>
internal sealed class EnvelopeLanes
{
    private readonly EnvelopeWriter _writer;
    private readonly EnvelopeLane?[] _lanes;

    public EnvelopeLanes(EnvelopeWriter writer, int count, int gzipThresholdBytes)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        _writer = writer;
        _lanes = new EnvelopeLane?[count];
        GzipThresholdBytes = gzipThresholdBytes;
    }

    /// <summary>How many envelopes may be in flight at once.</summary>
    public int Count => _lanes.Length;

    /// <summary>Envelopes longer than this are compressed.</summary>
    public int GzipThresholdBytes { get; }

    /// <summary>The lane at <paramref name="index"/>; only one send uses a lane at a time.</summary>
    public EnvelopeLane this[int index] => _lanes[index] ??= new EnvelopeLane(index == 0 ? _writer : _writer.Fork());
}
