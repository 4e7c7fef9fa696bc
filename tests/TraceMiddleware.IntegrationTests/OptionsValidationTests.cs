using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace TraceMiddleware.IntegrationTests;

public sealed class OptionsValidationTests
{
    [Theory]
    [InlineData("Tracing:TracesSampleRate", "1.5", "Tracing:TracesSampleRate: 1.5 is outside [0, 1]")]
    [InlineData("Tracing:TracesSampleRate", "-0.1", "Tracing:TracesSampleRate: -0.1 is outside [0, 1]")]
    [InlineData("Tracing:TracesSampleRate", "lots", "Tracing:TracesSampleRate: 'lots' is not a number")]
    [InlineData("Tracing:Dsn", "not a dsn", "Tracing:Dsn: the DSN is not an absolute URL")]
    [InlineData("Tracing:Dsn", "https://o1.ingest.sentry.io/42", "Tracing:Dsn: the DSN has no public key")]
    [InlineData("Tracing:Dsn", "https://key@o1.ingest.sentry.io/", "Tracing:Dsn: the DSN has no numeric project id")]
    [InlineData("Tracing:TracePropagationTargets:0", "^https://(", "Tracing:TracePropagationTargets:0: ")]
    [InlineData("Tracing:PropagateTraceparent", "yes", "Tracing:PropagateTraceparent: 'yes' is not true or false")]
    public async Task BadSetting_StopsStartUp_NamingTheKeyAndTheReason(string key, string value, string message)
    {
        await using var app = Build(new() { [key] = value });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadRegexTarget_SaysItIsNotAValidRegularExpression()
    {
        await using var app = Build(new() { ["Tracing:TracePropagationTargets:0"] = "^https://(" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("'^https://(' is not a valid regular expression", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GoodSettings_StartUp()
    {
        await using var app = Build(new()
        {
            ["Tracing:Dsn"] = "https://publickey@o1.ingest.sentry.io/42",
            ["Tracing:TracesSampleRate"] = "0.2",
            ["Tracing:TracePropagationTargets:0"] = "localhost",
            ["Tracing:TracePropagationTargets:1"] = @"^https://api\.example\.com",
            ["Tracing:Release"] = "shop@1.4.0",
        });

        await app.StartAsync();
        var response = await app.GetTestClient().GetAsync("/");

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task SectionGivenInCode_IsNamedInTheMessage()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Observability:Tracing:TracesSampleRate"] = "2" });
        builder.Services.AddTracing(builder.Configuration.GetSection("Observability:Tracing"));
        await using var app = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("Observability:Tracing:TracesSampleRate: 2 is outside [0, 1]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NullTargetFromCode_StopsStartUp()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddTracing(o => o.TracePropagationTargets = [null!]);
        await using var app = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("Tracing:TracePropagationTargets:0: the target is null.", error.Message, StringComparison.Ordinal);
    }

    private static WebApplication Build(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddTracing();
        var app = builder.Build();
        app.MapGet("/", () => "ok");
        return app;
    }
}
