using System.Buffers;
using TraceMiddleware.AspNetCore.Tunnel;

namespace TraceMiddleware.Tests.AspNetCore.Tunnel;

public class SentryTunnelBodyReaderTests
{
    private const int MaxBodySize = 1024 * 1024;

    [Fact]
    public async Task DeclaredBodyOfTheLargestSize_IsHeldInABufferOfItsOwnSize()
    {
        var body = Body(MaxBodySize);

        var (buffer, length) = await SentryTunnelBodyReader.ReadAsync(new MemoryStream(body), body.Length, MaxBodySize, CancellationToken.None);

        // One byte more, to see the end, would have taken the pool's next bucket: twice the memory.
        Assert.Equal(MaxBodySize, buffer.Length);
        Assert.Equal(body, buffer[..length]);
        ArrayPool<byte>.Shared.Return(buffer);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(SentryTunnelBodyReader.InitialBufferSize)]
    [InlineData(SentryTunnelBodyReader.InitialBufferSize + 1)]
    [InlineData(MaxBodySize)]
    public async Task BodyWithoutContentLength_IsReadWhole_UpToTheLimit(int size)
    {
        var body = Body(size);

        var (buffer, length) = await SentryTunnelBodyReader.ReadAsync(new MemoryStream(body), contentLength: null, MaxBodySize, CancellationToken.None);

        Assert.Equal(body, buffer[..length]);
        ArrayPool<byte>.Shared.Return(buffer);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task BodyPastTheLimit_StopsOneBytePast(bool declaredShorter)
    {
        // A stream longer than its declared length stands for a server that does not enforce Content-Length.
        var body = Body(MaxBodySize + 100);

        var (buffer, length) = await SentryTunnelBodyReader.ReadAsync(new MemoryStream(body), declaredShorter ? 10 : null, MaxBodySize, CancellationToken.None);

        Assert.Equal(MaxBodySize + 1, length);
        ArrayPool<byte>.Shared.Return(buffer);
    }

    private static byte[] Body(int size)
    {
        var body = new byte[size];
        new Random(size).NextBytes(body);
        return body;
    }
}
