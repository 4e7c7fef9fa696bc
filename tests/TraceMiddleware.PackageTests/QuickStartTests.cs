using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using TraceMiddleware.PackageTests.Infrastructure;

namespace TraceMiddleware.PackageTests;

/// <summary>
/// README.md's Quick start, followed by a user: a fresh app from the SDK's own template, the package from the local
/// feed, exactly the README's code and configuration, built and run. Its DSN is pointed at a loopback receiver by an
/// environment variable, so nothing leaves the machine. One request with a caller's sentry-trace and baggage must be
/// continued: in the page's meta tags, in the Server-Timing header, and in the transaction the app sends.
/// </summary>
public sealed partial class QuickStartTests
{
    private static readonly HttpClient s_client = new() { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task WebTemplate_WithTheQuickStart_ContinuesTheCallersTrace_InServerTimingAndInTheSentTransaction()
    {
        // Arrange
        var quickStart = ReadmeSnippets.QuickStart();
        using var workspace = ConsumerWorkspace.Create();
        var app = ConsumerApp.Create(workspace, "web", "ConsumerWeb");
        Assert.Equal(["Program.cs", "appsettings.json"], app.Apply(quickStart));
        app.Build();
        await using var sentry = await EnvelopeReceiver.StartAsync();
        await using var running = await app.StartAsync(new Dictionary<string, string>
        {
            ["Tracing__Dsn"] = sentry.Dsn,
            ["Tracing__ServerTimingHeader"] = "true",
        });
        var caller = CallerTrace.Create();

        // Act
        using var response = await s_client.SendAsync(caller.Get(running.BaseAddress));

        // Assert
        Assert.Equal(LocalPackages.Folder, workspace.RestoredFrom("TraceMiddleware"));
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET / answered {response.StatusCode}:\n{running.Output}");
        var serverTiming = ServerTiming(response);
        var spanId = caller.AssertContinuedBy(serverTiming.GetValueOrDefault("sentry-trace"), "the Server-Timing header");
        caller.AssertBaggageHandedOn(serverTiming.GetValueOrDefault("baggage"), "the Server-Timing header");
        await AssertSentTransactionAsync(sentry, caller, spanId, app, running);
    }

    [Fact]
    public async Task WebappTemplate_WithTheQuickStart_RendersMetaTagsThatContinueTheCallersTrace()
    {
        // Arrange
        var quickStart = ReadmeSnippets.QuickStart();
        using var workspace = ConsumerWorkspace.Create();
        var app = ConsumerApp.Create(workspace, "webapp", "ConsumerPages");
        Assert.Equal(["Program.cs", "appsettings.json", "_ViewImports.cshtml", "_Layout.cshtml"], app.Apply(quickStart));
        app.Build();
        await using var sentry = await EnvelopeReceiver.StartAsync();
        await using var running = await app.StartAsync(new Dictionary<string, string> { ["Tracing__Dsn"] = sentry.Dsn });
        var caller = CallerTrace.Create();

        // Act
        using var response = await s_client.SendAsync(caller.Get(running.BaseAddress));
        var page = await response.Content.ReadAsStringAsync();

        // Assert
        Assert.Equal(LocalPackages.Folder, workspace.RestoredFrom("TraceMiddleware"));
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET / answered {response.StatusCode}:\n{running.Output}");
        var spanId = caller.AssertContinuedBy(MetaContent(page, "sentry-trace"), "the page's meta tags");
        caller.AssertBaggageHandedOn(WebUtility.HtmlDecode(MetaContent(page, "baggage")), "the page's meta tags");
        await AssertSentTransactionAsync(sentry, caller, spanId, app, running);
    }

    /// <summary>
    /// The app's transaction for the request is the span it handed on, child of the caller's span, with the README's
    /// Release and Environment: the configuration in appsettings.json was read.
    /// </summary>
    private static async Task AssertSentTransactionAsync(EnvelopeReceiver sentry, CallerTrace caller, string spanId, ConsumerApp app, RunningApp running)
    {
        var tracing = JsonDocument.Parse(app.ReadFile("appsettings.json")).RootElement.GetProperty("Tracing");
        JsonElement transaction;
        try
        {
            transaction = await sentry.WaitForTransactionAsync(caller.TraceId);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\nThe app printed:\n{running.Output}", e);
        }

        var trace = transaction.GetProperty("contexts").GetProperty("trace");
        Assert.Equal(spanId, trace.GetProperty("span_id").GetString());
        Assert.Equal(caller.SpanId, trace.GetProperty("parent_span_id").GetString());
        Assert.Equal(tracing.GetProperty("Release").GetString(), transaction.GetProperty("release").GetString());
        Assert.Equal(tracing.GetProperty("Environment").GetString(), transaction.GetProperty("environment").GetString());
    }

    private static Dictionary<string, string> ServerTiming(HttpResponseMessage response)
    {
        Assert.True(response.Headers.TryGetValues("Server-Timing", out var values), "The response has no Server-Timing header.");
        return ServerTimingMetric().Matches(string.Join(", ", values))
            .ToDictionary(m => m.Groups["name"].Value, m => m.Groups["desc"].Value);
    }

    private static string? MetaContent(string page, string name)
    {
        var match = Regex.Match(page, $"<meta name=\"{Regex.Escape(name)}\" content=\"(?<content>[^\"]*)\"");
        return match.Success ? match.Groups["content"].Value : null;
    }

    [GeneratedRegex("(?<name>[\\w-]+);desc=\"(?<desc>[^\"]*)\"")]
    private static partial Regex ServerTimingMetric();
}
