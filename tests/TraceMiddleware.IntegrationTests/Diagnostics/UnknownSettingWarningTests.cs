using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TraceMiddleware.IntegrationTests.Infrastructure;
using TraceMiddleware.Testing;

namespace TraceMiddleware.IntegrationTests.Diagnostics;

/// <summary>The real host's start-up warning about keys under the tracing section and its tunnel that are not settings (4102).</summary>
public sealed class UnknownSettingWarningTests
{
    private const string AnchoredLocalhost = @"^https?://localhost(:\d+)?(/|$)";

    [Fact]
    public async Task ATypo_IsWarnedOnce_WithItsFullPath_AndTheClosestKey()
    {
        // Arrange
        var logs = new CapturingLoggerProvider();
        await using var host = TestHosts.Minimal(new() { ["Tracing:TracesSampelRate"] = "0.5" });
        await using var factory = Capture(host, logs);

        // Act
        (await factory.CreateClient().GetAsync("/api/orders/1")).Dispose();
        (await factory.CreateClient().GetAsync("/api/orders/2")).Dispose();

        // Assert
        var line = Assert.Single(logs.WithEventId(4102));
        Assert.Equal("TraceMiddleware", line.Category);
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.Equal("Unknown tracing setting Tracing:TracesSampelRate is ignored. Did you mean Tracing:TracesSampleRate?", line.Message);
        Assert.Contains("Sampling: off, propagation only", Assert.Single(logs.WithEventId(4101)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KnownKeys_InAnyCase_AndListEntries_AreNotWarned()
    {
        // Arrange
        var logs = new CapturingLoggerProvider();
        await using var host = TestHosts.Minimal(new()
        {
            ["Tracing:TracesSampleRate"] = "0.5",
            ["Tracing:propagatetraceparent"] = "true",
            ["Tracing:TracePropagationTargets:0"] = AnchoredLocalhost,
            ["Tracing:TracePropagationTargets:1"] = @"^https://api\.example\.com(/|:|$)",
            ["Tracing:UnsampledHttpMethods:0"] = "OPTIONS",
            ["Tracing:Tunnel:AllowedDsns:0"] = "https://key@o1.ingest.sentry.io/2",
            ["Tracing:Tunnel:AllowedDsns:1"] = "https://key@o1.ingest.sentry.io/3",
            ["Tracing:Tunnel:Timeout"] = "00:00:05",
        });
        await using var factory = Capture(host, logs);

        // Act
        (await factory.CreateClient().GetAsync("/api/orders/1")).Dispose();

        // Assert
        Assert.Single(logs.WithEventId(4101));
        Assert.DoesNotContain(logs.Entries, e => e.Category == "TraceMiddleware" && e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task ANonsenseKey_IsWarnedWithoutASuggestion()
    {
        // Arrange
        var logs = new CapturingLoggerProvider();
        await using var host = TestHosts.Minimal(new() { ["Tracing:Bogus"] = "1" });
        await using var factory = Capture(host, logs);

        // Act
        (await factory.CreateClient().GetAsync("/api/orders/1")).Dispose();

        // Assert
        Assert.Equal(
            "Unknown tracing setting Tracing:Bogus is ignored. No known setting is close to it.",
            Assert.Single(logs.WithEventId(4102)).Message);
    }

    [Fact]
    public async Task AnUnknownKeyUnderTheTunnel_IsWarnedWithTheTunnelsKey()
    {
        // Arrange
        var logs = new CapturingLoggerProvider();
        await using var host = TestHosts.Minimal(new()
        {
            ["Tracing:Tunnel:MaxBodySize"] = "1024",
            ["Tracing:Tunnel:RequestBodyTimout"] = "00:00:05",
        });
        await using var factory = Capture(host, logs);

        // Act
        (await factory.CreateClient().GetAsync("/api/orders/1")).Dispose();

        // Assert
        Assert.Equal(
            "Unknown tracing setting Tracing:Tunnel:RequestBodyTimout is ignored. Did you mean Tracing:Tunnel:RequestBodyTimeout?",
            Assert.Single(logs.WithEventId(4102)).Message);
    }

    [Fact]
    public async Task TheSectionGivenToAddTracing_IsChecked_UnderItsOwnPath()
    {
        // Arrange
        var logs = new CapturingLoggerProvider();
        await using var host = TestHosts.Minimal(new()
        {
            ["Observability:Tracing:Enviroment"] = "staging",
            ["Observability:Tracing:Release"] = "shop@1.4.0",
        });
        await using var factory = Capture(host, logs).WithWebHostBuilder(b =>
            b.ConfigureServices((context, services) => services.AddTracing(context.Configuration.GetSection("Observability:Tracing"))));

        // Act
        (await factory.CreateClient().GetAsync("/api/orders/1")).Dispose();

        // Assert
        Assert.Equal(
            "Unknown tracing setting Observability:Tracing:Enviroment is ignored. Did you mean Observability:Tracing:Environment?",
            Assert.Single(logs.WithEventId(4102)).Message);
        Assert.EndsWith("release shop@1.4.0.", Assert.Single(logs.WithEventId(4101)).Message, StringComparison.Ordinal);
    }

    private static WebApplicationFactory<T> Capture<T>(WebApplicationFactory<T> factory, CapturingLoggerProvider logs)
        where T : class =>
        factory.WithWebHostBuilder(b => b.ConfigureLogging(l => l.AddProvider(logs)));
}
