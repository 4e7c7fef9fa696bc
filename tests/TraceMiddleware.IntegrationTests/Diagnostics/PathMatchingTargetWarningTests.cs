using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;
using TraceMiddleware.IntegrationTests.Infrastructure;
using TraceMiddleware.Testing;

namespace TraceMiddleware.IntegrationTests.Diagnostics;

/// <summary>The real host's start-up warning about plain-string targets that can match inside another host's path (4103).</summary>
public sealed class PathMatchingTargetWarningTests
{
    private const string AnchoredLocalhost = @"^https?://localhost(:\d+)?(/|$)";

    [Fact]
    public async Task APlainStringTarget_IsWarnedOnce_WithItsIndexTextAndAnAnchoredPattern()
    {
        // Arrange
        var logs = new CapturingLoggerProvider();
        await using var host = TestHosts.Minimal(new()
        {
            ["Tracing:TracePropagationTargets:0"] = @"^https://api\.example\.com(/|:|$)",
            ["Tracing:TracePropagationTargets:1"] = "localhost",
        });
        await using var factory = Capture(host, logs);

        // Act
        (await factory.CreateClient().GetAsync("/api/orders/1")).Dispose();
        (await factory.CreateClient().GetAsync("/api/orders/2")).Dispose();

        // Assert
        var line = Assert.Single(logs.WithEventId(4103));
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.Equal(
            "Trace propagation target 1 (\"localhost\") is a plain string: it matches anywhere in the URL, so a URL of any host "
            + "whose path contains it gets the trace headers too. Anchor it at the scheme and host with a regular expression "
            + @"such as ^https?://localhost(:\d+)?(/|$)",
            line.Message);
    }

    [Fact]
    public async Task APlainStringTargetSetInCode_IsWarnedToo()
    {
        // Arrange
        var logs = new CapturingLoggerProvider();
        await using var host = TestHosts.Minimal(configure: o => o.TracePropagationTargets = ["api.internal", "https://orders.internal"]);
        await using var factory = Capture(host, logs);

        // Act
        (await factory.CreateClient().GetAsync("/api/orders/1")).Dispose();

        // Assert
        var line = Assert.Single(logs.WithEventId(4103));
        Assert.StartsWith("Trace propagation target 0 (\"api.internal\") is a plain string", line.Message, StringComparison.Ordinal);
        Assert.EndsWith(@"^https?://api\.internal(:\d+)?(/|$)", line.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(AnchoredLocalhost)]
    [InlineData(@"^https://api\.example\.com(/|:|$)")]
    [InlineData("https://api.example.com")]
    [InlineData("*")]
    public async Task AnchoredPatterns_OriginPrefixes_TheWildcard_AndTheDefault_AreNotWarned(string? target)
    {
        // Arrange
        var logs = new CapturingLoggerProvider();
        await using var host = TestHosts.Minimal(target is null ? null : new() { ["Tracing:TracePropagationTargets:0"] = target });
        await using var factory = Capture(host, logs);

        // Act
        (await factory.CreateClient().GetAsync("/api/orders/1")).Dispose();

        // Assert
        Assert.Single(logs.WithEventId(4101));
        Assert.Empty(logs.WithEventId(4103));
    }

    private static WebApplicationFactory<T> Capture<T>(WebApplicationFactory<T> factory, CapturingLoggerProvider logs)
        where T : class =>
        factory.WithWebHostBuilder(b => b.ConfigureLogging(l => l.AddProvider(logs)));
}
