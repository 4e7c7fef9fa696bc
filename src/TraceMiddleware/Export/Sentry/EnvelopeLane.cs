using System.Buffers;
using System.IO.Compression;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.Export.Sentry;

/// <summary>
/// What one in-flight send of <see cref="SentryTraceExporter"/> writes into: an envelope writer, the envelope
/// buffer and the gzip buffer. Each concurrent send owns one, kept across envelopes and batches, so the steady
/// state allocates no buffers. Not thread-safe.
/// </summary>
internal sealed class EnvelopeLane
{
    /// <summary>The envelope buffer's starting size: a transaction with a few dozen spans fits.</summary>
    public const int InitialBufferBytes = 16 * 1024;

    /// <summary>A buffer grown past this by a rare huge envelope is let go before the next one, rather than pinned for the life of the process.</summary>
    public const int MaxRetainedBufferBytes = 1024 * 1024;

    private readonly EnvelopeWriter _writer;
    private ArrayBufferWriter<byte> _envelope = new(InitialBufferBytes);
    private MemoryStream _compressed = new();

    /// <summary>Creates a lane that writes with <paramref name="writer"/>, which it then owns.</summary>
    /// <param name="writer">A writer no other lane uses.</param>
    public EnvelopeLane(EnvelopeWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        _writer = writer;
    }

    /// <summary>The length of the last envelope before compression.</summary>
    public int EnvelopeBytes => _envelope.WrittenCount;

    /// <summary>Whether <see cref="Body"/> is the gzip of the last envelope.</summary>
    public bool IsGzipped { get; private set; }

    /// <summary>What to send for the last envelope: valid until the next <see cref="Write"/>.</summary>
    public ReadOnlyMemory<byte> Body => IsGzipped
        ? _compressed.GetBuffer().AsMemory(0, (int)_compressed.Length)
        : _envelope.WrittenMemory;

    /// <summary>The envelope buffer's current capacity (for tests of the retention limit).</summary>
    internal int EnvelopeCapacity => _envelope.Capacity;

    /// <summary>
    /// Writes <paramref name="transaction"/> as an envelope, gzipped when longer than
    /// <paramref name="gzipThresholdBytes"/>. Throws what the writer throws (a tag whose <c>ToString</c> throws).
    /// </summary>
    /// <param name="transaction">The transaction.</param>
    /// <param name="gzipThresholdBytes">Envelopes longer than this are compressed.</param>
    public void Write(SentryTransaction transaction, int gzipThresholdBytes)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        if (_envelope.Capacity > MaxRetainedBufferBytes)
        {
            _envelope = new ArrayBufferWriter<byte>(InitialBufferBytes);
        }

        if (_compressed.Capacity > MaxRetainedBufferBytes)
        {
            _compressed = new MemoryStream();
        }

        IsGzipped = false;
        _envelope.ResetWrittenCount();
        _writer.Write(transaction, _envelope);
        if (_envelope.WrittenCount <= gzipThresholdBytes)
        {
            return;
        }

        _compressed.SetLength(0);
        using (var gzip = new GZipStream(_compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(_envelope.WrittenSpan);
        }

        IsGzipped = true;
    }
}
