using System.Buffers;
using System.Diagnostics;
using System.IO.Compression;
using TraceMiddleware.Export;
using TraceMiddleware.Export.Sentry;
using TraceMiddleware.Propagation;
using TraceMiddleware.Tracing;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.Tests.Export.Sentry;

public class EnvelopeLaneTests
{
    private static EnvelopeWriter NewWriter() =>
        new(new FixedTimeProvider(TestTransactions.SentAt), TestTransactions.FixedEventId, sdkVersion: "1.2.3");

    private static byte[] Expected(SentryTransaction transaction)
    {
        var output = new ArrayBufferWriter<byte>();
        NewWriter().Write(transaction, output);
        return output.WrittenSpan.ToArray();
    }

    private static byte[] Gunzip(ReadOnlyMemory<byte> body)
    {
        using var gzip = new GZipStream(new MemoryStream(body.ToArray()), CompressionMode.Decompress);
        using var plain = new MemoryStream();
        gzip.CopyTo(plain);
        return plain.ToArray();
    }

    private static SentryTransaction WithSpans(int count, int nameLength = 10)
    {
        var root = TestTransactions.Finished("big", ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), TestTransactions.Start, TimeSpan.FromSeconds(10));
        var spans = new List<Activity>();
        for (var i = 0; i < count; i++)
        {
            spans.Add(TestTransactions.Finished(new string('x', nameLength), root.TraceId, root.SpanId, TestTransactions.Start, TimeSpan.FromMilliseconds(1), (SpanTags.Op, "task")));
        }

        return new SentryTransaction(root, spans, 0, DynamicSamplingContext.Empty, "custom", null, "production", false);
    }

    [Fact]
    public void Write_AtTheThreshold_BodyIsThePlainEnvelope()
    {
        // Arrange
        var transaction = TestTransactions.WithTwoChildren();
        var expected = Expected(transaction);
        var lane = new EnvelopeLane(NewWriter());

        // Act
        lane.Write(transaction, gzipThresholdBytes: expected.Length);

        // Assert
        Assert.False(lane.IsGzipped);
        Assert.Equal(expected, lane.Body.ToArray());
        Assert.Equal(expected.Length, lane.EnvelopeBytes);
    }

    [Fact]
    public void Write_OneByteOverTheThreshold_BodyIsTheGzipOfTheEnvelope()
    {
        var transaction = TestTransactions.WithTwoChildren();
        var expected = Expected(transaction);
        var lane = new EnvelopeLane(NewWriter());

        lane.Write(transaction, gzipThresholdBytes: expected.Length - 1);

        Assert.True(lane.IsGzipped);
        Assert.Equal(expected, Gunzip(lane.Body));
        Assert.Equal(expected.Length, lane.EnvelopeBytes);
    }

    [Fact]
    public void Write_PlainAfterGzipped_BodyHoldsOnlyTheNewEnvelope()
    {
        // Arrange
        var big = WithSpans(50);
        var small = TestTransactions.WithTwoChildren();
        var lane = new EnvelopeLane(NewWriter());
        lane.Write(big, gzipThresholdBytes: 100);

        // Act
        lane.Write(small, gzipThresholdBytes: int.MaxValue);

        // Assert
        Assert.False(lane.IsGzipped);
        Assert.Equal(Expected(small), lane.Body.ToArray());
    }

    [Fact]
    public void Write_GzippedAfterALargerGzipped_BodyHoldsOnlyTheNewEnvelope()
    {
        var big = WithSpans(200);
        var small = TestTransactions.WithTwoChildren();
        var lane = new EnvelopeLane(NewWriter());
        lane.Write(big, gzipThresholdBytes: 0);

        lane.Write(small, gzipThresholdBytes: 0);

        Assert.True(lane.IsGzipped);
        Assert.Equal(Expected(small), Gunzip(lane.Body));
    }

    [Fact]
    public void Write_AfterAnEnvelopeOverTheRetentionLimit_TheGrownBufferIsLetGo()
    {
        // Arrange: one envelope of well over 1 MiB.
        var huge = WithSpans(SentryTransaction.MaxSpans, nameLength: 2000);
        var lane = new EnvelopeLane(NewWriter());
        lane.Write(huge, gzipThresholdBytes: int.MaxValue);
        Assert.True(lane.EnvelopeCapacity > EnvelopeLane.MaxRetainedBufferBytes);

        // Act
        lane.Write(TestTransactions.WithTwoChildren(), gzipThresholdBytes: int.MaxValue);

        // Assert
        Assert.Equal(EnvelopeLane.InitialBufferBytes, lane.EnvelopeCapacity);
    }

    [Fact]
    public void Write_UnderTheRetentionLimit_KeepsItsBuffer()
    {
        var lane = new EnvelopeLane(NewWriter());
        lane.Write(WithSpans(300), gzipThresholdBytes: int.MaxValue);
        var grown = lane.EnvelopeCapacity;
        Assert.InRange(grown, EnvelopeLane.InitialBufferBytes + 1, EnvelopeLane.MaxRetainedBufferBytes);

        lane.Write(TestTransactions.WithTwoChildren(), gzipThresholdBytes: int.MaxValue);

        Assert.Equal(grown, lane.EnvelopeCapacity);
    }

    [Fact]
    public void Write_WriterThrows_ThePreviousBodyIsNotMistakenForTheNew()
    {
        // Arrange: a tag whose ToString throws makes the writer throw mid-envelope.
        var lane = new EnvelopeLane(NewWriter());
        lane.Write(TestTransactions.WithTwoChildren(), gzipThresholdBytes: 0);
        var root = TestTransactions.Finished("bad", ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), TestTransactions.Start, TimeSpan.FromSeconds(1), ("bad", new ThrowingTag()));

        // Act
        Assert.Throws<InvalidOperationException>(() => lane.Write(TestTransactions.Single(root), gzipThresholdBytes: 0));

        // Assert
        Assert.False(lane.IsGzipped);
    }

    [Fact]
    public void Constructor_NullWriter_IsRejected()
    {
        Assert.Throws<ArgumentNullException>(() => new EnvelopeLane(null!));
    }

    private sealed class ThrowingTag
    {
        public override string ToString() => throw new InvalidOperationException("no text");
    }
}
