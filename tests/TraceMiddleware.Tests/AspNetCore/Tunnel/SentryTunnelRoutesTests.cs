using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing.Patterns;
using TraceMiddleware.AspNetCore.Tunnel;

namespace TraceMiddleware.Tests.AspNetCore.Tunnel;

public class SentryTunnelRoutesTests
{
    [Theory]
    [InlineData("/monitoring", "/monitoring")]
    [InlineData("monitoring", "/monitoring")]
    [InlineData("/monitoring/", "/monitoring")]
    [InlineData("/api/sentry/tunnel", "/api/sentry/tunnel")]
    [InlineData("/", "/")]
    [InlineData("", "/")]
    public void TryGetPath_FixedPattern_IsItsPath(string pattern, string expected)
    {
        Assert.True(SentryTunnelRoutes.TryGetPath(RoutePatternFactory.Parse(pattern), out var path));
        Assert.Equal(expected, path);
    }

    [Theory]
    [InlineData("/monitoring/{id}")]
    [InlineData("/{tenant}/monitoring")]
    [InlineData("/monitoring/{id?}")]
    [InlineData("/monitoring-{id}")]
    [InlineData("/{**rest}")]
    public void TryGetPath_PatternWithParameters_IsNotAPath(string pattern)
    {
        Assert.False(SentryTunnelRoutes.TryGetPath(RoutePatternFactory.Parse(pattern), out _));
    }

    [Theory]
    [InlineData("/monitoring", true)]
    [InlineData("/MONITORING", true)]
    [InlineData("/monitoring/", true)]
    [InlineData("/monitoringx", false)]
    [InlineData("/monitoring/x", false)]
    [InlineData("/monitor", false)]
    [InlineData("/", false)]
    [InlineData("", false)]
    public void IsTunnelRequest_ComparesThePathAsRoutingDoes(string path, bool expected)
    {
        var routes = new SentryTunnelRoutes();
        routes.Add("/monitoring");

        Assert.Equal(expected, routes.IsTunnelRequest(Request(path)));
    }

    [Fact]
    public void IsTunnelRequest_NothingMapped_IsFalse()
    {
        Assert.False(new SentryTunnelRoutes().IsTunnelRequest(Request("/monitoring")));
    }

    [Fact]
    public void IsTunnelRequest_EndpointWithTunnelMetadata_IsTrue_WhateverThePath()
    {
        var routes = new SentryTunnelRoutes();
        routes.AddUnresolved();
        var context = Request("/acme/monitoring");
        context.SetEndpoint(new Endpoint(null, new EndpointMetadataCollection(SentryTunnelMetadata.Instance), "tunnel"));

        Assert.True(routes.IsTunnelRequest(context));
        Assert.False(routes.IsTunnelRequest(Request("/acme/monitoring")));
    }

    private static DefaultHttpContext Request(string path)
    {
        var context = new DefaultHttpContext();
        context.Request.Path = path.Length == 0 ? PathString.Empty : new PathString(path);
        return context;
    }
}
