using TraceMiddleware.Propagation;

namespace TraceMiddleware.Tests.Propagation;

public class TargetUrlTests
{
    [Theory]
    [InlineData("https://user:pw@API.example.com:443/a/b?x=api.internal#f", "https://api.example.com/a/b")]
    [InlineData("https://api.example.com", "https://api.example.com/")]
    [InlineData("http://example.com:80/", "http://example.com/")]
    [InlineData("https://example.com:443/x", "https://example.com/x")]
    [InlineData("https://example.com:8443/x", "https://example.com:8443/x")]
    [InlineData("http://example.com:443/", "http://example.com:443/")]
    [InlineData("https://example.com:80/", "https://example.com:80/")]
    [InlineData("http://h:1/", "http://h:1/")]
    [InlineData("http://h:65535/", "http://h:65535/")]
    [InlineData("http://[::1]:5000/x", "http://[::1]:5000/x")]
    [InlineData("http://[0:0:0:0:0:0:0:1]/", "http://[::1]/")]
    [InlineData("http://[::1]/", "http://[::1]/")]
    [InlineData("http://127.0.0.1:8080/health", "http://127.0.0.1:8080/health")]
    [InlineData("https://api.example.com/a b/c?q=1", "https://api.example.com/a%20b/c")]
    [InlineData("https://api.example.com/?next=https://other", "https://api.example.com/")]
    [InlineData("https://api.example.com/#frag", "https://api.example.com/")]
    [InlineData("HTTPS://API.EXAMPLE.COM/Orders", "https://api.example.com/Orders")]
    [InlineData("ftp://files.example.com/pub", "ftp://files.example.com/pub")]
    public void TryWrite_AbsoluteUri_WritesSchemeHostPortAndPathOnly(string uri, string expected)
    {
        // Arrange
        var target = new Uri(uri);
        var buffer = new char[TargetUrl.StackBufferLength];

        // Act
        var ok = TargetUrl.TryWrite(target, buffer, out var written);

        // Assert
        Assert.True(ok);
        Assert.Equal(expected, new string(buffer, 0, written));
        Assert.Equal(expected.Length, TargetUrl.GetLength(target));
        Assert.Equal(expected, TargetUrl.ToText(target));
    }

    [Theory]
    [InlineData("/orders/1")]
    [InlineData("orders")]
    [InlineData("?q=localhost")]
    public void TryWrite_RelativeUri_IsRejected(string uri)
    {
        // Arrange
        var target = new Uri(uri, UriKind.Relative);
        var buffer = new char[TargetUrl.StackBufferLength];

        // Act
        var ok = TargetUrl.TryWrite(target, buffer, out var written);

        // Assert
        Assert.False(ok);
        Assert.Equal(0, written);
        Assert.Equal(-1, TargetUrl.GetLength(target));
        Assert.Null(TargetUrl.ToText(target));
    }

    [Fact]
    public void TryWrite_DestinationOneShortAtEveryPart_ReturnsFalse()
    {
        // Arrange
        var target = new Uri("https://api.example.com:8443/orders/42?x=1");
        var length = TargetUrl.GetLength(target);

        for (var size = 0; size < length; size++)
        {
            // Act
            var ok = TargetUrl.TryWrite(target, new char[size], out var written);

            // Assert
            Assert.False(ok);
            Assert.Equal(0, written);
        }

        Assert.True(TargetUrl.TryWrite(target, new char[length], out var full));
        Assert.Equal(length, full);
    }

    [Fact]
    public void TryWrite_PathLongerThanStackBuffer_WritesWholeText()
    {
        // Arrange
        var path = "/" + new string('p', TargetUrl.StackBufferLength * 4);
        var target = new Uri("https://api.example.com" + path + "?q=1");

        // Act
        var text = TargetUrl.ToText(target);

        // Assert
        Assert.Equal("https://api.example.com" + path, text);
        Assert.True(TargetUrl.GetLength(target) > TargetUrl.StackBufferLength);
    }

    [Fact]
    public void TryWrite_AfterWarmUp_AllocatesNothing()
    {
        // Arrange
        var target = new Uri("https://user:pw@api.example.com:8443/orders/42?x=1#f");
        Span<char> buffer = stackalloc char[TargetUrl.StackBufferLength];
        TargetUrl.TryWrite(target, buffer, out _);

        // Act
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            TargetUrl.TryWrite(target, buffer, out _);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Assert
        Assert.Equal(0, allocated);
    }

    [Theory]
    [InlineData("http://localhost:5000/x", "localhost")]
    [InlineData("http://localhost", "localhost")]
    [InlineData("http://localhost/", "localhost")]
    [InlineData("https://[::1]:8443/", "[::1]")]
    [InlineData("https://[::1]", "[::1]")]
    [InlineData("http://user:pw@localhost/", "localhost")]
    [InlineData("http://localhost@evil.com/", "evil.com")]
    [InlineData("http://evil.com/?next=http://localhost/", "evil.com")]
    [InlineData("http://evil.com?localhost", "evil.com")]
    [InlineData("http://evil.com#@localhost", "evil.com")]
    [InlineData("http://127.0.0.1:1/", "127.0.0.1")]
    public void TryGetHost_UrlText_FindsHostWithoutUserinfoOrPort(string text, string expected)
    {
        // Act
        var ok = TargetUrl.TryGetHost(text, out var host);

        // Assert
        Assert.True(ok);
        Assert.Equal(expected, host.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("localhost")]
    [InlineData("://localhost/")]
    [InlineData("http://")]
    [InlineData("http:///path")]
    [InlineData("http://:80/")]
    [InlineData("http://[::1/")]
    [InlineData("http://user@/")]
    public void TryGetHost_TextWithoutHost_IsRejected(string text)
    {
        // Act
        var ok = TargetUrl.TryGetHost(text, out var host);

        // Assert
        Assert.False(ok);
        Assert.True(host.IsEmpty);
    }
}
