using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace TraceMiddleware.PackageTests.Infrastructure;

/// <summary>
/// Every C# and JSON fence of a Markdown file, with the line it starts on, and each C# fence turned into a source file
/// a fresh app compiles. A README fence is a fragment, so it becomes the body of a method: its <c>using</c> lines go
/// to the top of the file, and the names a fragment uses without declaring (<c>builder</c>, <c>app</c>,
/// <c>tracer</c>, <c>message</c>, <c>args</c>) become the method's parameters. <c>#line</c> directives make the
/// compiler report an error at the README's own line.
/// </summary>
public static partial class ReadmeCode
{
    private static readonly JsonDocumentOptions s_readmeJson = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>The names a fragment may use without declaring them, and what each is.</summary>
    private static readonly (string Name, string Type)[] s_freeNames =
    [
        ("args", "string[]"),
        ("builder", "global::Microsoft.AspNetCore.Builder.WebApplicationBuilder"),
        ("app", "global::Microsoft.AspNetCore.Builder.WebApplication"),
        ("tracer", "global::TraceMiddleware.Tracing.SentryTracer"),
        ("message", "global::ReadmeSnippets.QueueMessage"),
    ];

    /// <summary>The fences of <paramref name="language"/> in <paramref name="markdown"/>, in order.</summary>
    public static IReadOnlyList<Fence> Fences(string markdown, string language) =>
        Fence.ReadAll(markdown).Where(f => f.Language == language).ToList();

    /// <summary>
    /// A fragment of settings as JSON reads it: a fence that holds properties (<c>"Tracing": { … }</c>) is an object's
    /// content. Comments and trailing commas are allowed, as appsettings.json allows them.
    /// </summary>
    public static JsonDocument ParseJson(Fence fence)
    {
        var text = string.Join('\n', fence.Lines);
        var content = string.Join('\n', fence.Lines.Where(l => !l.TrimStart().StartsWith("//", StringComparison.Ordinal))).Trim();
        return JsonDocument.Parse(content.StartsWith('{') ? text : "{\n" + text + "\n}", s_readmeJson);
    }

    /// <summary>
    /// The source file for C# fence <paramref name="fence"/> of <paramref name="file"/>: a static class
    /// <paramref name="className"/> whose method holds the fence.
    /// </summary>
    public static string ToSource(Fence fence, string file, string className)
    {
        var usings = new List<(int Line, string Text)>();
        var body = new List<(int Line, string Text)>();
        for (var i = 0; i < fence.Lines.Count; i++)
        {
            var line = fence.Lines[i];
            (UsingDirective().IsMatch(line) ? usings : body).Add((fence.FirstLine + i, line));
        }

        var code = string.Join('\n', body.Select(b => b.Text));
        var parameters = s_freeNames
            .Where(n => Uses(code, n.Name) && !Declares(code, n.Name))
            .Select(n => $"{n.Type} {n.Name}");
        var isAsync = Regex.IsMatch(code, @"\bawait\b");

        var source = new StringBuilder();
        foreach (var (line, text) in usings)
        {
            source.Append("#line ").Append(line).Append(" \"").Append(file).Append("\"\n").Append(text).Append('\n');
        }

        source.Append("#line default\n")
            .Append("#pragma warning disable CS0168, CS0219, CS8321 // a fragment may declare what it does not use\n")
            .Append("namespace ReadmeSnippets;\n\n")
            .Append("internal static class ").Append(className).Append("\n{\n")
            .Append("    internal static ").Append(isAsync ? "async global::System.Threading.Tasks.Task" : "void")
            .Append(" Run(").Append(string.Join(", ", parameters)).Append(")\n    {\n");
        foreach (var (line, text) in body)
        {
            source.Append("#line ").Append(line).Append(" \"").Append(file).Append("\"\n").Append(text).Append('\n');
        }

        source.Append("#line default\n    }\n}\n");
        return source.ToString();
    }

    /// <summary>The type a fragment's <c>message</c> is: a queue message with string headers.</summary>
    public const string SupportSource = """
        namespace ReadmeSnippets;

        internal sealed record QueueMessage(global::System.Collections.Generic.IReadOnlyDictionary<string, string> Headers);

        """;

    private static bool Uses(string code, string name) => Regex.IsMatch(code, $@"(?<![\w.""]){name}\b");

    private static bool Declares(string code, string name) => Regex.IsMatch(code, $@"\bvar\s+{name}\b");

    [GeneratedRegex(@"^using\s+[\w.]+(\s*=\s*[\w.<>]+)?\s*;\s*$")]
    private static partial Regex UsingDirective();
}
