using System.Text.Json;
using System.Text.Json.Nodes;

namespace TraceMiddleware.PackageTests.Infrastructure;

/// <summary>An app made from one of the SDK's own templates in a <see cref="ConsumerWorkspace"/>, as a user makes it.</summary>
public sealed class ConsumerApp
{
    private static readonly TimeSpan s_commandTimeout = TimeSpan.FromMinutes(5);
    private static readonly JsonDocumentOptions s_readmeJson = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    private readonly ConsumerWorkspace _workspace;

    private ConsumerApp(ConsumerWorkspace workspace, string name)
    {
        _workspace = workspace;
        Name = name;
        Directory = Path.Combine(workspace.Directory, name);
    }

    public string Name { get; }

    public string Directory { get; }

    /// <summary>
    /// `dotnet new TEMPLATE`, then `dotnet add package` for each of <paramref name="packages"/> (by default TraceMiddleware
    /// at the repository's version). The build restores them.
    /// </summary>
    public static ConsumerApp Create(ConsumerWorkspace workspace, string template, string name, IReadOnlyList<(string Id, string Version)>? packages = null)
    {
        var app = new ConsumerApp(workspace, name);
        app.Dotnet(workspace.Directory, "new", template, "--name", name, "--output", app.Directory, "--no-restore");
        foreach (var (id, version) in packages ?? [("TraceMiddleware", Repository.Version)])
        {
            app.Dotnet(app.Directory, "add", $"{name}.csproj", "package", id, "--version", version, "--no-restore");
        }

        return app;
    }

    /// <summary>
    /// Puts each README part into the file it names, where the app has that file, and returns the files it changed.
    /// JSON parts are properties of appsettings.json's top-level object; code parts are merged line by line.
    /// </summary>
    public IReadOnlyList<string> Apply(ReadmeSnippets snippets)
    {
        var applied = new List<string>();
        foreach (var part in snippets.Parts)
        {
            var candidates = System.IO.Directory.GetFiles(Directory, part.File, SearchOption.AllDirectories)
                .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
                .ToList();
            if (candidates.Count == 0)
            {
                continue;
            }

            var path = Assert.Single(candidates);
            if (part.Language == "json")
            {
                MergeJson(path, part.Lines);
            }
            else
            {
                var text = File.ReadAllText(path).ReplaceLineEndings("\n");
                var merged = SnippetMerge.Merge(text.TrimEnd('\n').Split('\n'), part.Lines);
                File.WriteAllText(path, string.Join('\n', merged) + "\n");
            }

            applied.Add(part.File);
        }

        return applied;
    }

    /// <summary>`dotnet build -c Release -warnaserror`: the package must add no warning to a fresh app.</summary>
    public void Build() => Dotnet(Directory, "build", "-c", "Release", "-warnaserror");

    /// <summary>Runs the built app on a loopback port the OS picks, with <paramref name="settings"/> as environment variables.</summary>
    public Task<RunningApp> StartAsync(IReadOnlyDictionary<string, string> settings)
    {
        var environment = new Dictionary<string, string?>(_workspace.Environment);
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        var assembly = Path.Combine(Directory, "bin", "Release", "net10.0", $"{Name}.dll");
        return RunningApp.StartAsync(Directory, assembly, environment);
    }

    public string ReadFile(string relativePath) => File.ReadAllText(Path.Combine(Directory, relativePath));

    private static void MergeJson(string path, IReadOnlyList<string> lines)
    {
        var settings = JsonNode.Parse(File.ReadAllText(path), documentOptions: s_readmeJson)!.AsObject();
        var snippet = JsonNode.Parse("{\n" + string.Join('\n', lines) + "\n}", documentOptions: s_readmeJson)!.AsObject();
        foreach (var (key, value) in snippet.ToList())
        {
            snippet.Remove(key);
            settings[key] = value;
        }

        File.WriteAllText(path, settings.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private void Dotnet(string workingDirectory, params string[] arguments) =>
        ProcessRunner.Run("dotnet", arguments, workingDirectory, _workspace.Environment, s_commandTimeout);
}
