using Microsoft.Extensions.Configuration;
using TraceMiddleware.Configuration;
using TraceMiddleware.DependencyInjection;

namespace TraceMiddleware.Tests.Configuration;

/// <summary>Which keys of the tracing section count as unknown, against the schema taken from the binders.</summary>
public sealed class UnknownConfigurationKeysTests
{
    private static List<UnknownConfigurationKey> Find(string section, params (string Key, string? Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
        return UnknownConfigurationKeys.Find(configuration.GetSection(section), TracingConfigurationSchema.Tracing);
    }

    [Fact]
    public void KnownKeys_InAnyCase_ListEntries_AndTheTunnelsKeys_AreNotUnknown()
    {
        // Act
        var unknown = Find(
            "Tracing",
            ("Tracing:TracesSampleRate", "0.2"),
            ("Tracing:DSN", "https://key@o1.ingest.sentry.io/1"),
            ("tracing:propagatetraceparent", "true"),
            ("Tracing:TracePropagationTargets:0", "^https://a\\.example(/|$)"),
            ("Tracing:TracePropagationTargets:1", "^https://b\\.example(/|$)"),
            ("Tracing:UnsampledHttpMethods:0", "OPTIONS"),
            ("Tracing:Tunnel:AllowedDsns:0", "https://key@o1.ingest.sentry.io/2"),
            ("Tracing:Tunnel:AllowedDsns:1", "https://key@o1.ingest.sentry.io/3"),
            ("Tracing:TUNNEL:timeout", "00:00:05"));

        // Assert
        Assert.Empty(unknown);
    }

    [Fact]
    public void ATypo_IsReportedWithItsFullPath_AndTheClosestKeysFullPath()
    {
        // Act
        var unknown = Find("Observability:Tracing", ("Observability:Tracing:TracesSampelRate", "0.2"));

        // Assert
        var key = Assert.Single(unknown);
        Assert.Equal("Observability:Tracing:TracesSampelRate", key.Path);
        Assert.Equal("Observability:Tracing:TracesSampleRate", key.Suggestion);
    }

    [Fact]
    public void ATypoUnderTheTunnel_IsComparedWithTheTunnelsKeys()
    {
        // Act
        var unknown = Find("Tracing", ("Tracing:Tunnel:Timout", "00:00:05"), ("Tracing:Tunnel:Nonsense", "1"));

        // Assert
        Assert.Collection(
            unknown,
            k => Assert.Equal(new UnknownConfigurationKey("Tracing:Tunnel:Nonsense", null), k),
            k => Assert.Equal(new UnknownConfigurationKey("Tracing:Tunnel:Timout", "Tracing:Tunnel:Timeout"), k));
    }

    [Fact]
    public void AMisspelledSection_IsReportedOnce_NotEachKeyUnderIt()
    {
        // Act
        var unknown = Find("Tracing", ("Tracing:Tunel:Timeout", "00:00:05"), ("Tracing:Tunel:MaxBodySize", "10"));

        // Assert
        Assert.Equal(new UnknownConfigurationKey("Tracing:Tunel", "Tracing:Tunnel"), Assert.Single(unknown));
    }

    [Fact]
    public void ANonsenseKey_HasNoSuggestion()
    {
        // Act
        var unknown = Find("Tracing", ("Tracing:Bogus", "1"));

        // Assert
        Assert.Equal(new UnknownConfigurationKey("Tracing:Bogus", null), Assert.Single(unknown));
    }

    [Fact]
    public void AnEmptyOrMissingSection_HasNoUnknownKey()
    {
        Assert.Empty(Find("Tracing"));
        Assert.Empty(Find("Tracing", ("Other:Bogus", "1")));
    }
}
