using TraceMiddleware.PackageTests.Infrastructure;

namespace TraceMiddleware.PackageTests;

/// <summary>How the consumer tests read README.md's Quick start and place it into a template's files.</summary>
public sealed class QuickStartReadingTests
{
    [Fact]
    public void Readme_QuickStartLabelsEveryFileAUserEdits()
    {
        // Arrange
        var quickStart = QuickStart.FromReadme();

        // Act
        var files = quickStart.Parts.Select(p => p.File).ToList();

        // Assert: the consumer tests compile exactly these parts; a part that loses its label would silently go untested.
        Assert.Equal(["Program.cs", "appsettings.json", "_ViewImports.cshtml", "_Layout.cshtml"], files);
        Assert.Contains(quickStart.Parts, p => p.Lines.Any(l => l.Contains("AddTracing", StringComparison.Ordinal)));
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
        var quickStart = QuickStart.Parse(markdown);

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
}
