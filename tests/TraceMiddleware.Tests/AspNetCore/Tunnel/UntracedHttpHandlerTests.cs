namespace TraceMiddleware.Tests.AspNetCore.Tunnel;

/// <summary>The handler of the tunnel's (and the exporter's) calls to Sentry.</summary>
public class UntracedHttpHandlerTests
{
    [Fact]
    public void CreateHandler_HasNoPropagator_AndFollowsNoRedirect()
    {
        using var handler = TraceMiddleware.Http.UntracedHttpHandler.Create();

        Assert.Null(handler.ActivityHeadersPropagator);
        Assert.False(handler.AllowAutoRedirect);
        Assert.False(handler.UseCookies);
    }
}
