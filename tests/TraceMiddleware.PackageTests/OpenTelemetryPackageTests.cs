using System.Net;
using TraceMiddleware.PackageTests.Infrastructure;

namespace TraceMiddleware.PackageTests;

/// <summary>
/// The companion package's page readme, followed by a user: a fresh `dotnet new web` app, TraceMiddleware.OpenTelemetry
/// from the local feed (which brings TraceMiddleware from it too), OpenTelemetry's hosting and OTLP packages at the
/// versions this repository tests with, exactly the readme's set-up. OpenTelemetry is configured the standard way, by
/// OTEL_* environment variables pointing at a loopback collector.
/// </summary>
public sealed class OpenTelemetryPackageTests
{
    private static readonly HttpClient s_client = new() { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task WebTemplate_WithThePackageReadmeSetUp_ExportsTheCallersTraceWithOpenTelemetry()
    {
        // Arrange
        var setUp = ReadmeSnippets.PackageSetUp("TraceMiddleware.OpenTelemetry");
        using var workspace = ConsumerWorkspace.Create();
        var app = ConsumerApp.Create(workspace, "web", "ConsumerOpenTelemetry",
        [
            ("TraceMiddleware.OpenTelemetry", Repository.Version),
            ("OpenTelemetry.Extensions.Hosting", Repository.PinnedVersion("OpenTelemetry.Extensions.Hosting")),
            ("OpenTelemetry.Exporter.OpenTelemetryProtocol", Repository.PinnedVersion("OpenTelemetry.Exporter.OpenTelemetryProtocol")),
        ]);
        Assert.Equal(["Program.cs", "appsettings.json"], app.Apply(setUp));
        app.Build();
        await using var collector = await OtlpReceiver.StartAsync();
        await using var running = await app.StartAsync(new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
        });
        var caller = CallerTrace.Create();

        // Act
        using var response = await s_client.SendAsync(caller.Get(running.BaseAddress));

        // Assert
        Assert.Equal(LocalPackages.Folder, workspace.RestoredFrom("TraceMiddleware.OpenTelemetry"));
        Assert.Equal(LocalPackages.Folder, workspace.RestoredFrom("TraceMiddleware"));
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET / answered {response.StatusCode}:\n{running.Output}");
        try
        {
            // The request's span, in the caller's trace and child of the caller's span, reaches OpenTelemetry's exporter.
            await collector.WaitForTraceExportAsync(caller.TraceId, caller.SpanId);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\nThe app printed:\n{running.Output}", e);
        }
    }
}
