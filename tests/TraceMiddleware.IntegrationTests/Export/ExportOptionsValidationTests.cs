using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace TraceMiddleware.IntegrationTests.Export;

/// <summary>Bad export settings stop a real host's start-up, naming the key.</summary>
public sealed class ExportOptionsValidationTests
{
    [Theory]
    [InlineData("Tracing:ExportQueueCapacity", "0", "Tracing:ExportQueueCapacity: 0 is less than 1")]
    [InlineData("Tracing:ExportQueueCapacity", "many", "Tracing:ExportQueueCapacity: 'many' is not a whole number.")]
    [InlineData("Tracing:ExportBatchSize", "-1", "Tracing:ExportBatchSize: -1 is less than 1")]
    [InlineData("Tracing:ShutdownTimeout", "5", "Tracing:ShutdownTimeout: '5' has no unit; write a time span such as 00:00:05 for 5 seconds.")]
    [InlineData("Tracing:ShutdownTimeout", "00:00:00", "Tracing:ShutdownTimeout: 00:00:00 is not longer than zero")]
    [InlineData("Tracing:ConsoleExporter", "auto", "Tracing:ConsoleExporter: 'auto' is not true or false")]
    [InlineData("Tracing:Spotlight", "localhost:8969", "Tracing:Spotlight: 'localhost:8969' is not true, false or an absolute http(s) URL; use true for Spotlight's default http://localhost:8969/stream")]
    [InlineData("Tracing:Spotlight", "ws://localhost:8969/stream", "Tracing:Spotlight: 'ws://localhost:8969/stream' is not true, false or an absolute http(s) URL")]
    [InlineData("Tracing:ServiceName", "an-extremely-long-service-name-that-no-console-line-should-have-to-carry", "Tracing:ServiceName: 'an-extremely-long-service-name-that-no-console-line-should-have-to-carry' is longer than 64 characters")]
    public async Task BadExportSetting_StopsStartUp_NamingTheKeyAndTheReason(string key, string value, string message)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [key] = value });
        builder.Services.AddTracing();
        await using var app = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
