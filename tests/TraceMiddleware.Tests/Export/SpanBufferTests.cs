using System.Diagnostics;
using TraceMiddleware.Export;
using TraceMiddleware.Tracing;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.Tests.Export;

public sealed class SpanBufferTests
{
    private static Activity Span(int i) => new("span " + i);

    [Fact]
    public void Close_WithNothingAdded_ReturnsNoSpansAndNoDrops()
    {
        var buffer = new SpanBuffer();

        var spans = buffer.Close(out var dropped);

        Assert.Empty(spans);
        Assert.Equal(0, dropped);
        Assert.True(buffer.IsClosed);
    }

    [Fact]
    public void Close_ReturnsTheSpansInTheOrderTheyWereAdded()
    {
        var buffer = new SpanBuffer();
        var a = Span(1);
        var b = Span(2);
        buffer.TryAdd(a);
        buffer.TryAdd(b);

        var spans = buffer.Close(out _);

        Assert.Equal([a, b], spans);
    }

    [Theory]
    [InlineData(SentryTransaction.MaxSpans - 1, SentryTransaction.MaxSpans - 1, 0)]
    [InlineData(SentryTransaction.MaxSpans, SentryTransaction.MaxSpans, 0)]
    [InlineData(SentryTransaction.MaxSpans + 1, SentryTransaction.MaxSpans, 1)]
    [InlineData(SentryTransaction.MaxSpans + 250, SentryTransaction.MaxSpans, 250)]
    public void TryAdd_KeepsAtMostMaxSpans_AndCountsTheRest(int added, int kept, int droppedExpected)
    {
        var buffer = new SpanBuffer();

        for (var i = 0; i < added; i++)
        {
            Assert.True(buffer.TryAdd(Span(i)));
        }

        var spans = buffer.Close(out var dropped);
        Assert.Equal(kept, spans.Count);
        Assert.Equal(droppedExpected, dropped);
    }

    [Fact]
    public void TryAdd_AfterClose_IsRefused_AndNotKept()
    {
        var buffer = new SpanBuffer();
        buffer.TryAdd(Span(1));
        buffer.Close(out _);

        var accepted = buffer.TryAdd(Span(2));

        Assert.False(accepted);
        Assert.Empty(buffer.Close(out var dropped));
        Assert.Equal(0, dropped);
    }

    [Fact]
    public async Task TryAdd_FromManyThreads_LosesNothing()
    {
        var buffer = new SpanBuffer();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 200; i++)
            {
                buffer.TryAdd(Span(i));
            }
        })));

        var spans = buffer.Close(out var dropped);
        Assert.Equal(SentryTransaction.MaxSpans, spans.Count);
        Assert.Equal((8 * 200) - SentryTransaction.MaxSpans, dropped);
    }
}
