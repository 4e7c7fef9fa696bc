using TraceMiddleware.PackageTests.Infrastructure;

namespace TraceMiddleware.PackageTests;

/// <summary>
/// Every C# fence of README.md and of each package's readme, compiled as a user would paste it: into a fresh
/// `dotnet new web` app that references the three packages from the local feed and the third-party packages the
/// snippets name (at the versions this repository tests with), built with warnings as errors. Every JSON fence parses.
/// The snippets are read from the readmes themselves, so a renamed option or a changed signature fails here.
/// </summary>
public sealed class ReadmeCodeTests
{
    /// <summary>The readmes a user reads, relative to the repository root.</summary>
    private static readonly string[] s_readmes =
    [
        "README.md",
        "src/TraceMiddleware/README.md",
        "src/TraceMiddleware.OpenTelemetry/README.md",
        "src/TraceMiddleware.Sentry/README.md",
    ];

    public static TheoryData<string> Readmes => new(s_readmes);

    [Theory]
    [MemberData(nameof(Readmes))]
    public void JsonFences_Parse(string readme)
    {
        // Arrange
        var fences = ReadmeCode.Fences(File.ReadAllText(Path.Combine(Repository.Root, readme)), "json");

        // Act & Assert
        Assert.All(fences, fence =>
        {
            var exception = Record.Exception(() => ReadmeCode.ParseJson(fence).Dispose());
            Assert.True(exception is null, $"{readme}:{fence.FirstLine}: {exception?.Message}");
        });
    }

    [Fact]
    public void CSharpFences_CompileInAFreshWebApp()
    {
        // Arrange
        using var workspace = ConsumerWorkspace.Create();
        var app = ConsumerApp.Create(workspace, "web", "ConsumerSnippets",
        [
            ("TraceMiddleware", Repository.Version),
            ("TraceMiddleware.OpenTelemetry", Repository.Version),
            ("TraceMiddleware.Sentry", Repository.Version),
            ThirdParty("OpenTelemetry.Extensions.Hosting"),
            ThirdParty("OpenTelemetry.Exporter.OpenTelemetryProtocol"),
            ThirdParty("OpenTelemetry.Instrumentation.AspNetCore"),
            ThirdParty("OpenTelemetry.Instrumentation.Http"),
            ThirdParty("Sentry.AspNetCore"),
        ]);
        var snippets = Path.Combine(app.Directory, "Snippets");
        Directory.CreateDirectory(snippets);
        File.WriteAllText(Path.Combine(snippets, "QueueMessage.cs"), ReadmeCode.SupportSource);
        var count = 0;
        foreach (var readme in s_readmes)
        {
            var path = Path.Combine(Repository.Root, readme);
            foreach (var fence in ReadmeCode.Fences(File.ReadAllText(path), "csharp"))
            {
                var name = $"Snippet{++count:D2}";
                File.WriteAllText(Path.Combine(snippets, name + ".cs"), ReadmeCode.ToSource(fence, path, name));
            }
        }

        // Act
        var exception = Record.Exception(app.Build);

        // Assert
        Assert.True(count >= 10, $"Only {count} C# fences were found in the readmes; the reader has lost some.");
        Assert.True(exception is null, $"A readme snippet does not compile (the error names the readme's line):\n{exception?.Message}");
    }

    private static (string Id, string Version) ThirdParty(string id) => (id, Repository.PinnedVersion(id));
}
