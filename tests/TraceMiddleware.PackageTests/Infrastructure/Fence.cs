namespace TraceMiddleware.PackageTests.Infrastructure;

/// <summary>
/// One code fence of a Markdown file: its language (the text after the opening <c>```</c>), its lines, and the 1-based
/// line of the file its first line is on.
/// </summary>
public sealed record Fence(int FirstLine, string Language, IReadOnlyList<string> Lines)
{
    /// <summary>The 0-based index of the fence's opening line among the file's lines.</summary>
    public int OpeningIndex => FirstLine - 2;

    /// <summary>The 0-based index of the first line after the fence's closing line.</summary>
    public int NextIndex => FirstLine + Lines.Count;

    /// <summary>Every fence of <paramref name="markdown"/>, in order; an unclosed fence runs to the end.</summary>
    public static IReadOnlyList<Fence> ReadAll(string markdown)
    {
        var lines = markdown.ReplaceLineEndings("\n").Split('\n');
        var fences = new List<Fence>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("```", StringComparison.Ordinal))
            {
                continue;
            }

            var language = lines[i][3..].Trim();
            var firstLine = i + 2;
            var body = new List<string>();
            for (i++; i < lines.Length && !lines[i].StartsWith("```", StringComparison.Ordinal); i++)
            {
                body.Add(lines[i]);
            }

            fences.Add(new Fence(firstLine, language, body));
        }

        return fences;
    }
}
