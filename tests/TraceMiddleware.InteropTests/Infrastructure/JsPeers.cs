namespace TraceMiddleware.InteropTests.Infrastructure;

/// <summary>
/// Finds what the interop tests run: node on PATH, the pinned packages in tests/js, Debian's Chromium.
/// A missing one fails the test with how to install it; nothing is skipped.
/// </summary>
public static class JsPeers
{
    private static readonly Lazy<string> s_scripts = new(FindScripts);
    private static readonly Lazy<string> s_node = new(FindNode);

    /// <summary>The tests/js folder, with its node_modules installed.</summary>
    public static string ScriptsDirectory => s_scripts.Value;

    /// <summary>The node executable.</summary>
    public static string Node => s_node.Value;

    /// <summary>Chromium: <c>CHROMIUM_PATH</c>, else Debian's <c>/usr/bin/chromium</c>.</summary>
    public static string Chromium
    {
        get
        {
            var path = Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } configured ? configured : "/usr/bin/chromium";
            if (!File.Exists(path))
            {
                throw new InvalidOperationException(
                    $"The browser interop test needs Chromium at {path}. Install it with `apt-get update && apt-get install -y chromium` " +
                    "(build/test.sh does this when it runs as root), or point CHROMIUM_PATH at a Chromium executable.");
            }

            return path;
        }
    }

    private static string FindScripts()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tests", "js");
            if (File.Exists(Path.Combine(candidate, "package.json")))
            {
                if (!File.Exists(Path.Combine(candidate, "node_modules", "@sentry", "node", "package.json")))
                {
                    throw new InvalidOperationException(
                        $"The interop tests need the JavaScript peers installed in {candidate}: run `npm ci` there " +
                        "(build/test.sh does this), which needs Node.js 20+ with npm (Debian: apt-get install nodejs npm).");
                }

                return candidate;
            }
        }

        throw new InvalidOperationException($"tests/js/package.json was not found above {AppContext.BaseDirectory}: run the interop tests from a clone of the repository.");
    }

    private static string FindNode()
    {
        var names = OperatingSystem.IsWindows() ? new[] { "node.exe" } : ["node"];
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var name in names)
            {
                var candidate = Path.Combine(directory, name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new InvalidOperationException(
            "The interop tests run Sentry's JavaScript SDKs and need Node.js 20+ on PATH (Debian: apt-get install nodejs npm; " +
            "then `npm ci` in tests/js, which build/test.sh does).");
    }
}
