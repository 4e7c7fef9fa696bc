using System.Xml.Linq;

namespace TraceMiddleware.PackageTests.Infrastructure;

/// <summary>
/// The clone these tests run from, and the facts the packages must carry, read from where the repository keeps them
/// (src/Directory.Build.props, git) so that a test never repeats them.
/// </summary>
public static class Repository
{
    private static readonly Lazy<string> s_root = new(FindRoot);
    private static readonly Lazy<XDocument> s_packageProps = new(() => XDocument.Load(Path.Combine(Root, "src", "Directory.Build.props")));
    private static readonly Lazy<XDocument> s_pinnedVersions = new(() => XDocument.Load(Path.Combine(Root, "Directory.Packages.props")));
    private static readonly Lazy<string> s_head = new(() => ProcessRunner.Run("git", ["rev-parse", "HEAD"], Root, timeout: TimeSpan.FromSeconds(30)).Trim());

    /// <summary>The folder holding TraceMiddleware.sln, without a trailing separator.</summary>
    public static string Root => s_root.Value;

    /// <summary>The packages' version: VersionPrefix in src/Directory.Build.props.</summary>
    public static string Version => PackageProperty("VersionPrefix");

    /// <summary>The repository's address: RepositoryUrl in src/Directory.Build.props.</summary>
    public static string Url => PackageProperty("RepositoryUrl");

    /// <summary>The commit checked out, which the packages must name.</summary>
    public static string HeadCommit => s_head.Value;

    /// <summary>The version of a third-party package the repository pins in Directory.Packages.props.</summary>
    public static string PinnedVersion(string id) =>
        s_pinnedVersions.Value.Descendants("PackageVersion").Single(e => e.Attribute("Include")?.Value == id).Attribute("Version")!.Value;

    public static string ReadmePath => Path.Combine(Root, "README.md");

    /// <summary>The files git tracks, relative to the root with '/' separators: what SourceLink can serve.</summary>
    public static IReadOnlySet<string> TrackedFiles() =>
        ProcessRunner.Run("git", ["ls-files"], Root, timeout: TimeSpan.FromSeconds(30))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .ToHashSet(StringComparer.Ordinal);

    private static string PackageProperty(string name)
    {
        var values = s_packageProps.Value.Descendants(name).Select(e => e.Value.Trim()).ToList();
        return values.Count == 1 ? values[0] : throw new InvalidOperationException($"src/Directory.Build.props sets {name} {values.Count} times; the tests expect it once.");
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "TraceMiddleware.sln")))
            {
                return directory.FullName.TrimEnd(Path.DirectorySeparatorChar);
            }
        }

        throw new InvalidOperationException($"TraceMiddleware.sln was not found above {AppContext.BaseDirectory}: run the package tests from a clone of the repository.");
    }
}
