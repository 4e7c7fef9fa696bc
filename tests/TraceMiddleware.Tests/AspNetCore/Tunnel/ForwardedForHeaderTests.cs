using System.Net;
using Microsoft.Extensions.Primitives;
using TraceMiddleware.AspNetCore.Tunnel;

namespace TraceMiddleware.Tests.AspNetCore.Tunnel;

public class ForwardedForHeaderTests
{
    [Theory]
    [InlineData(new string[0], "127.0.0.1", "127.0.0.1")]
    [InlineData(new[] { "203.0.113.7" }, "127.0.0.1", "203.0.113.7, 127.0.0.1")]
    [InlineData(new[] { "203.0.113.7, 198.51.100.1" }, "127.0.0.1", "203.0.113.7, 198.51.100.1, 127.0.0.1")]
    [InlineData(new[] { "203.0.113.7", "198.51.100.1" }, "127.0.0.1", "203.0.113.7, 198.51.100.1, 127.0.0.1")]
    [InlineData(new string[0], "::ffff:192.0.2.1", "192.0.2.1")]
    [InlineData(new string[0], "2001:db8::1", "2001:db8::1")]
    [InlineData(new[] { "203.0.113.7" }, null, "203.0.113.7")]
    [InlineData(new string[0], null, "")]
    [InlineData(new[] { "203.0.113.7\u00e9" }, "127.0.0.1", "127.0.0.1")]
    public void Append_AddsTheClientAddress_ToWhatArrived(string[] existing, string? client, string expected)
    {
        var value = ForwardedForHeader.Append(new StringValues(existing), client is null ? null : IPAddress.Parse(client));

        Assert.Equal(expected, value);
    }
}
