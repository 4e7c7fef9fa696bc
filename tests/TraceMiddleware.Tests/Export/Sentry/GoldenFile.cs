using System.Runtime.CompilerServices;

namespace TraceMiddleware.Tests.Export.Sentry;

/// <summary>
/// Reads an expected file from <c>Export/Sentry/Golden</c>: from the test output when the project copies it there,
/// else from the source tree next to this file. <c>UPDATE_GOLDEN=1</c> rewrites the source copy instead of comparing.
/// </summary>
public static class GoldenFile
{
    public static string SourceDirectory([CallerFilePath] string thisFile = "") => Path.Combine(Path.GetDirectoryName(thisFile)!, "Golden");

    public static void AssertMatches(string name, byte[] actual)
    {
        var sourcePath = Path.Combine(SourceDirectory(), name);
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            File.WriteAllBytes(sourcePath, actual);
        }

        var outputPath = Path.Combine(AppContext.BaseDirectory, "Export", "Sentry", "Golden", name);
        var path = File.Exists(outputPath) ? outputPath : sourcePath;
        Assert.True(File.Exists(path), $"Golden file {name} not found at {outputPath} nor {sourcePath}; run once with UPDATE_GOLDEN=1 to create it.");
        var expected = File.ReadAllBytes(path);

        // Compared as text so that a failure shows where the bytes part (both sides are UTF-8).
        Assert.Equal(System.Text.Encoding.UTF8.GetString(expected), System.Text.Encoding.UTF8.GetString(actual));
        Assert.Equal(expected, actual);
    }
}
