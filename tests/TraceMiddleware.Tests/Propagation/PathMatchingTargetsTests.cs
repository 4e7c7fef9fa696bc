using TraceMiddleware.Propagation;

namespace TraceMiddleware.Tests.Propagation;

/// <summary>Which targets can match inside another host's path, and the anchored pattern offered instead.</summary>
public sealed class PathMatchingTargetsTests
{
    [Theory]
    [InlineData("localhost")]
    [InlineData("LOCALHOST")]
    [InlineData("api.example.com")]
    [InlineData("localhost:5000")]
    [InlineData("/api/v1")]
    [InlineData("//localhost")]
    [InlineData("://localhost")]
    [InlineData("https://")]
    [InlineData("http:///x")]
    [InlineData("1http://localhost")]
    public void APlainString_ThatDoesNotBeginWithSchemeAndHost_CanMatchInsidePath(string text)
    {
        Assert.True(PathMatchingTargets.CanMatchInsidePath(new TracePropagationTarget(text)));
    }

    [Theory]
    [InlineData("https://api.example.com")]
    [InlineData("http://localhost:5000/")]
    [InlineData("HTTPS://API.EXAMPLE.COM/v1")]
    [InlineData("svc+h2.x-y://orders")]
    [InlineData("*")]
    [InlineData(".*")]
    [InlineData("^https?://localhost(:\\d+)?(/|$)")]
    [InlineData("^.*localhost")]
    public void AnOriginPrefix_TheWildcard_AndPatterns_AreNotCounted(string text)
    {
        Assert.False(PathMatchingTargets.CanMatchInsidePath(new TracePropagationTarget(text)));
    }

    [Fact]
    public void TheDefaultLoopbackTargets_AreNotCounted()
    {
        Assert.DoesNotContain(TracePropagationTargetList.Default, PathMatchingTargets.CanMatchInsidePath);
    }

    [Theory]
    [InlineData("localhost", @"^https?://localhost(:\d+)?(/|$)")]
    [InlineData("LocalHost", @"^https?://localhost(:\d+)?(/|$)")]
    [InlineData("api.example.com", @"^https?://api\.example\.com(:\d+)?(/|$)")]
    [InlineData("localhost:5000", @"^https?://localhost:5000(/|$)")]
    [InlineData("[::1]", @"^https?://\[::1](:\d+)?(/|$)")]
    [InlineData("api.example.com:8443/v1", @"^https?://api\.example\.com:8443/v1")]
    [InlineData("/api/v1", @"^https://api\.example\.com(/|:|$)")]
    [InlineData("a b", @"^https://api\.example\.com(/|:|$)")]
    public void AnchoredExample_AnchorsWhatLooksLikeAHost_ElseShowsTheForm(string text, string expected)
    {
        Assert.Equal(expected, PathMatchingTargets.AnchoredExample(text));
    }

    [Theory]
    [InlineData("localhost", "http://localhost:5000/orders", "http://other-host/localhost/x")]
    [InlineData("localhost", "https://localhost/", "https://api.example/v1/LOCALHOST")]
    [InlineData("localhost", "http://localhost", "http://localhost.evil.com/")]
    [InlineData("[::1]", "http://[::1]:8080/x", "http://other-host/[::1]")]
    [InlineData("api.example.com", "https://api.example.com/orders", "https://api.example.com.evil.com/")]
    [InlineData("localhost:5000", "http://localhost:5000/x", "http://localhost:50001/x")]
    public void AnchoredExample_KeepsTheHost_AndLosesThePathMatches(string text, string stillMatches, string noLongerMatches)
    {
        // Arrange
        var plain = new TracePropagationTarget(text);
        var anchored = new TracePropagationTarget(PathMatchingTargets.AnchoredExample(text));

        // Act + Assert
        Assert.True(plain.IsMatch(new Uri(stillMatches)));
        Assert.True(anchored.IsMatch(new Uri(stillMatches)));
        Assert.False(anchored.IsMatch(new Uri(noLongerMatches)));
    }

    [Theory]
    [InlineData("http://localhost:5000/orders", true)]
    [InlineData("https://localhost/", true)]
    [InlineData("https://api.example.com/orders", true)]
    [InlineData("https://api.example.com:8443/", true)]
    [InlineData("http://other-host/localhost/x", false)]
    [InlineData("https://api.example/v1/LOCALHOST", false)]
    [InlineData("http://localhost.evil.com/", false)]
    [InlineData("https://api.example.com.evil.com/", false)]
    public void TheReadmesExampleList_MatchesLoopbackAndTheApi_NotTheirNamesInAPath(string url, bool expected)
    {
        // Arrange: the list of the README's quick start, as written in appsettings.json.
        var targets = new TracePropagationTargetList([@"^https?://localhost(:\d+)?(/|$)", @"^https://api\.example\.com(/|:|$)"]);

        // Act
        var matched = targets.IsMatch(new Uri(url));

        // Assert
        Assert.Equal(expected, matched);
        Assert.DoesNotContain(targets, PathMatchingTargets.CanMatchInsidePath);
    }
}
