using System.Text.RegularExpressions;

namespace TraceMiddleware.PackageTests.Infrastructure;

/// <summary>
/// The code of README.md's "Quick start" section, read from the README itself so that the README and the test that
/// compiles it cannot drift. A fence part that starts with a file label (<c>// Program.cs</c>,
/// <c>@* _Layout.cshtml *@</c>) belongs in that file; a fence without a label is not placed anywhere.
/// </summary>
public sealed partial class QuickStart
{
    private const string Heading = "## Quick start";

    private QuickStart(IReadOnlyList<QuickStartPart> parts, IReadOnlyList<string> unlabelled)
    {
        Parts = parts;
        UnlabelledFences = unlabelled;
    }

    /// <summary>Each labelled part, in README order, without its label line.</summary>
    public IReadOnlyList<QuickStartPart> Parts { get; }

    /// <summary>The fences that name no file, as text.</summary>
    public IReadOnlyList<string> UnlabelledFences { get; }

    public static QuickStart FromReadme() => Parse(File.ReadAllText(Repository.ReadmePath));

    public static QuickStart Parse(string markdown)
    {
        var lines = markdown.ReplaceLineEndings("\n").Split('\n');
        var start = Array.FindIndex(lines, l => l.TrimEnd() == Heading);
        if (start < 0)
        {
            throw new InvalidOperationException($"README.md has no \"{Heading}\" heading.");
        }

        var parts = new List<QuickStartPart>();
        var unlabelled = new List<string>();
        for (var i = start + 1; i < lines.Length && !lines[i].StartsWith("## ", StringComparison.Ordinal); i++)
        {
            if (!lines[i].StartsWith("```", StringComparison.Ordinal))
            {
                continue;
            }

            var language = lines[i][3..].Trim();
            var fence = new List<string>();
            for (i++; i < lines.Length && !lines[i].StartsWith("```", StringComparison.Ordinal); i++)
            {
                fence.Add(lines[i]);
            }

            Split(language, fence, parts, unlabelled);
        }

        return new QuickStart(parts, unlabelled);
    }

    private static void Split(string language, List<string> fence, List<QuickStartPart> parts, List<string> unlabelled)
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

    private static void Add(string language, string? file, List<string> body, List<QuickStartPart> parts, List<string> unlabelled)
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
            parts.Add(new QuickStartPart(file, language, trimmed));
        }
    }

    [GeneratedRegex(@"^\s*(//|@\*)\s*(?<file>[\w.]+\.(cs|json|cshtml))\s*(\*@)?\s*$")]
    private static partial Regex FileLabel();
}

/// <summary>The lines of a Quick start fence that belong in <paramref name="File"/>.</summary>
public sealed record QuickStartPart(string File, string Language, IReadOnlyList<string> Lines);
