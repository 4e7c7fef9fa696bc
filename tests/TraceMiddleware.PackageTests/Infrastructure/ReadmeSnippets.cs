using System.Text.RegularExpressions;

namespace TraceMiddleware.PackageTests.Infrastructure;

/// <summary>
/// The code fences of one section of a README (README.md's "Quick start", a package readme's "Set up"), read from the
/// README itself so that the README and the test that compiles it cannot drift. A fence part that starts with a file
/// label (<c>// Program.cs</c>, <c>@* _Layout.cshtml *@</c>) belongs in that file; a fence without a label is not
/// placed anywhere.
/// </summary>
public sealed partial class ReadmeSnippets
{
    private ReadmeSnippets(IReadOnlyList<SnippetPart> parts, IReadOnlyList<string> unlabelled)
    {
        Parts = parts;
        UnlabelledFences = unlabelled;
    }

    /// <summary>Each labelled part, in README order, without its label line.</summary>
    public IReadOnlyList<SnippetPart> Parts { get; }

    /// <summary>The fences that name no file, as text.</summary>
    public IReadOnlyList<string> UnlabelledFences { get; }

    /// <summary>The repository README's "Quick start".</summary>
    public static ReadmeSnippets QuickStart() => Parse(File.ReadAllText(Repository.ReadmePath), "## Quick start");

    /// <summary>The "Set up" section of the readme packed into <paramref name="id"/>'s .nupkg, as its package page shows it.</summary>
    public static ReadmeSnippets PackageSetUp(string id)
    {
        using var package = PackageArchive.Open(LocalPackages.Package(id));
        return Parse(System.Text.Encoding.UTF8.GetString(package.ReadEntry("README.md")), "## Set up");
    }

    /// <summary>The fences between <paramref name="heading"/> and the next heading of its level or above.</summary>
    public static ReadmeSnippets Parse(string markdown, string heading)
    {
        var lines = markdown.ReplaceLineEndings("\n").Split('\n');
        var start = Array.FindIndex(lines, l => l.TrimEnd() == heading);
        if (start < 0)
        {
            throw new InvalidOperationException($"The README has no \"{heading}\" heading.");
        }

        var level = HeadingLevel(heading);
        var parts = new List<SnippetPart>();
        var unlabelled = new List<string>();
        var next = start + 1;
        foreach (var fence in Fence.ReadAll(markdown).Where(f => f.OpeningIndex > start))
        {
            // A heading outside the fences, between the last fence read and this one, ends the section.
            if (lines[next..fence.OpeningIndex].Any(l => EndsSection(l, level)))
            {
                break;
            }

            Split(fence.Language, fence.Lines, parts, unlabelled);
            next = fence.NextIndex;
        }

        return new ReadmeSnippets(parts, unlabelled);
    }

    private static bool EndsSection(string line, int level)
    {
        var lineLevel = HeadingLevel(line);
        return lineLevel > 0 && lineLevel <= level;
    }

    /// <summary>The number of '#' of a Markdown heading line, 0 for any other line.</summary>
    private static int HeadingLevel(string line)
    {
        var hashes = line.Length - line.TrimStart('#').Length;
        return hashes > 0 && line.Length > hashes && line[hashes] == ' ' ? hashes : 0;
    }

    private static void Split(string language, IReadOnlyList<string> fence, List<SnippetPart> parts, List<string> unlabelled)
    {
        string? file = null;
        var body = new List<string>();
        foreach (var line in fence)
        {
            var label = FileLabel().Match(line);
            if (label.Success)
            {
                Add(language, file, body, parts, unlabelled);
                file = label.Groups["file"].Value;
                body = [];
            }
            else
            {
                body.Add(line);
            }
        }

        Add(language, file, body, parts, unlabelled);
    }

    private static void Add(string language, string? file, List<string> body, List<SnippetPart> parts, List<string> unlabelled)
    {
        var trimmed = body.SkipWhile(string.IsNullOrWhiteSpace).Reverse().SkipWhile(string.IsNullOrWhiteSpace).Reverse().ToList();
        if (trimmed.Count == 0)
        {
            return;
        }

        if (file is null)
        {
            unlabelled.Add(string.Join('\n', trimmed));
        }
        else
        {
            parts.Add(new SnippetPart(file, language, trimmed));
        }
    }

    [GeneratedRegex(@"^\s*(//|@\*)\s*(?<file>[\w.]+\.(cs|json|cshtml))\s*(\*@)?\s*$")]
    private static partial Regex FileLabel();
}

/// <summary>The lines of a README fence that belong in <paramref name="File"/>.</summary>
public sealed record SnippetPart(string File, string Language, IReadOnlyList<string> Lines);
