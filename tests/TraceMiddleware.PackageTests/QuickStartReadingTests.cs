using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using TraceMiddleware.PackageTests.Infrastructure;

namespace TraceMiddleware.PackageTests;

/// <summary>How the consumer tests read README.md's Quick start and place it into a template's files.</summary>
public sealed partial class QuickStartReadingTests
{
    [Fact]
    public void Readme_QuickStartLabelsEveryFileAUserEdits()
    {
        // Arrange
        var quickStart = ReadmeSnippets.QuickStart();

        // Act
        var files = quickStart.Parts.Select(p => p.File).ToList();

        // Assert: the consumer tests compile exactly these parts; a part that loses its label would silently go untested.
        Assert.Equal(["Program.cs", "appsettings.json", "_ViewImports.cshtml", "_Layout.cshtml"], files);
        Assert.Contains(quickStart.Parts, p => p.Lines.Any(l => l.Contains("AddTracing", StringComparison.Ordinal)));
    }

    [Fact]
    public void TraceMiddlewarePackageReadme_SetUpIsPartOfTheQuickStartTheConsumerTestsCompile()
    {
        // Arrange
        var setUp = ReadmeSnippets.PackageSetUp("TraceMiddleware");
        var quickStart = ReadmeSnippets.QuickStart();

        // Act
        var parts = setUp.Parts.Select(part => (Part: part, Compiled: quickStart.Parts.Single(p => p.File == part.File))).ToList();

        // Assert: the package page shows code and settings that the README's Quick start, which is compiled, also has.
        Assert.Equal(["Program.cs", "appsettings.json"], parts.Select(p => p.Part.File));
        foreach (var (part, compiled) in parts)
        {
            if (part.Language == "json")
            {
                var shown = ParseJsonPart(part)["Tracing"]!.AsObject();
                var tested = ParseJsonPart(compiled)["Tracing"]!;
                Assert.All(shown, setting => Assert.True(JsonNode.DeepEquals(setting.Value, tested[setting.Key]), $"Tracing:{setting.Key} differs from the Quick start's."));
            }
            else
            {
                var tested = compiled.Lines.Select(WithoutComment).ToHashSet();
                Assert.All(part.Lines.Select(WithoutComment), line => Assert.Contains(line, tested));
            }
        }
    }

    [Fact]
    public void Parse_SplitsAFenceAtFileLabels_AndStopsAtTheNextSection()
    {
        // Arrange
        var markdown = """
            ## Quick start

            ```cshtml
            @* _ViewImports.cshtml *@
            @addTagHelper *, X

            @* _Layout.cshtml *@
            <head>
            </head>
            ```

            ```csharp
            services.Unlabelled();
            ```

            ## Options

            ```csharp
            // Program.cs
            NotQuickStart();
            ```
            """;

        // Act
        var quickStart = ReadmeSnippets.Parse(markdown, "## Quick start");

        // Assert
        Assert.Equal(2, quickStart.Parts.Count);
        Assert.Equal(("_ViewImports.cshtml", "cshtml"), (quickStart.Parts[0].File, quickStart.Parts[0].Language));
        Assert.Equal(["@addTagHelper *, X"], quickStart.Parts[0].Lines);
        Assert.Equal(("_Layout.cshtml", "cshtml"), (quickStart.Parts[1].File, quickStart.Parts[1].Language));
        Assert.Equal(["<head>", "</head>"], quickStart.Parts[1].Lines);
        Assert.Equal(["services.Unlabelled();"], quickStart.UnlabelledFences);
    }

    [Fact]
    public void Merge_TypesNewLinesAfterTheLastLineTheFileAlreadyHas()
    {
        // Arrange
        string[] file = ["var builder = Create();", "", "builder.Other();", "var app = builder.Build();", "app.Run();"];
        string[] snippet = ["var builder = Create();", "builder.Services.AddTracing();   // note", "var app = builder.Build();", "app.UseX();"];

        // Act
        var merged = SnippetMerge.Merge(file, snippet);

        // Assert
        Assert.Equal(
            ["var builder = Create();", "builder.Services.AddTracing();   // note", "", "builder.Other();", "var app = builder.Build();", "app.UseX();", "app.Run();"],
            merged);
    }

    [Fact]
    public void Merge_PutsLinesBeforeTheFirstKnownLineAboveIt_AndASnippetWithNoKnownLineAtTheEnd()
    {
        // Arrange
        string[] layout = ["<html>", "<head>", "<title />", "</head>"];

        // Act
        var above = SnippetMerge.Merge(layout, ["<!-- first -->", "<head>", "    <meta />", "</head>"]);
        var appended = SnippetMerge.Merge(["@using A"], ["@addTagHelper *, B"]);

        // Assert
        Assert.Equal(["<html>", "<!-- first -->", "<head>", "    <meta />", "<title />", "</head>"], above);
        Assert.Equal(["@using A", "@addTagHelper *, B"], appended);
    }

    private static JsonObject ParseJsonPart(SnippetPart part) =>
        JsonNode.Parse("{" + string.Join('\n', part.Lines) + "}")!.AsObject();

    private static string WithoutComment(string line) => TrailingComment().Replace(line, string.Empty).Trim();

    [GeneratedRegex(@"\s+//.*$")]
    private static partial Regex TrailingComment();
}
