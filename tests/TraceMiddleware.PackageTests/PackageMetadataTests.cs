using System.Text;
using System.Text.RegularExpressions;
using TraceMiddleware.PackageTests.Infrastructure;

namespace TraceMiddleware.PackageTests;

/// <summary>What a package page and `dotnet add package` show: the nuspec and the files beside the assembly.</summary>
public sealed partial class PackageMetadataTests
{
    public static TheoryData<string> Packages => ["TraceMiddleware", "TraceMiddleware.OpenTelemetry", "TraceMiddleware.Sentry"];

    [Theory]
    [MemberData(nameof(Packages))]
    public void Nuspec_NamesTheMitLicense_TheRepositoryAndTheCommitItWasBuiltFrom(string id)
    {
        // Arrange
        using var package = PackageArchive.Open(LocalPackages.Package(id));

        // Act
        var license = package.Element("license");
        var repository = package.Element("repository");

        // Assert
        Assert.Equal(id, package.Value("id"));
        Assert.Equal(Repository.Version, package.Value("version"));
        Assert.Equal("expression", license?.Attribute("type")?.Value);
        Assert.Equal("MIT", license?.Value);
        Assert.Equal("git", repository?.Attribute("type")?.Value);
        Assert.Equal(Repository.Url, repository?.Attribute("url")?.Value);
        Assert.Equal(Repository.HeadCommit, repository?.Attribute("commit")?.Value);
        Assert.Equal(Repository.Url, package.Value("projectUrl"));
        Assert.Contains("MIT License", File.ReadAllText(Path.Combine(Repository.Root, "LICENSE")), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Packages))]
    public void Nuspec_HasTagsADescriptionAndReleaseNotesThatPointAtTheChangelog(string id)
    {
        // Arrange
        using var package = PackageArchive.Open(LocalPackages.Package(id));

        // Act
        var tags = (package.Value("tags") ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);

        // Assert
        Assert.Contains("sentry", tags);
        Assert.Contains("tracing", tags);
        Assert.False(string.IsNullOrWhiteSpace(package.Value("description")), $"{id} has no description.");
        Assert.Equal($"{Repository.Url}/blob/main/CHANGELOG.md", package.Value("releaseNotes"));
        Assert.True(File.Exists(Path.Combine(Repository.Root, "CHANGELOG.md")), "CHANGELOG.md is missing at the repository root.");
    }

    [Theory]
    [MemberData(nameof(Packages))]
    public void Package_CarriesItsAssemblyXmlDocsAndAReadmeOfItsOwn(string id)
    {
        // Arrange
        using var package = PackageArchive.Open(LocalPackages.Package(id));

        // Act
        var readme = Encoding.UTF8.GetString(package.ReadEntry("README.md"));

        // Assert
        Assert.Equal("README.md", package.Value("readme"));
        Assert.Contains($"lib/net10.0/{id}.dll", package.EntryNames);
        Assert.Contains($"lib/net10.0/{id}.xml", package.EntryNames);
        Assert.DoesNotContain(package.EntryNames, name => name.EndsWith(".pdb", StringComparison.Ordinal));
        Assert.StartsWith($"# {id}\n", readme.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains($"dotnet add package {id}", readme, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Packages))]
    public void PackageReadme_LinksOnlyToAbsoluteAddresses_AndToThisRepository(string id)
    {
        // Arrange
        using var package = PackageArchive.Open(LocalPackages.Package(id));
        var readme = Encoding.UTF8.GetString(package.ReadEntry("README.md"));

        // Act
        var targets = MarkdownLinkTarget().Matches(readme).Select(m => m.Groups["target"].Value).ToList();

        // Assert: a package page resolves no relative link, and an address of the repository must be the one in the nuspec.
        Assert.NotEmpty(targets);
        Assert.All(targets, target => Assert.StartsWith("https://", target, StringComparison.Ordinal));
        Assert.All(
            targets.Where(t => t.StartsWith("https://github.com/", StringComparison.Ordinal)),
            target => Assert.True(IsInRepository(target), $"{target} is on GitHub but not in {Repository.Url}."));
    }

    [Fact]
    public void OpenTelemetryPackage_DependsOnTraceMiddlewareOfTheSameVersion()
    {
        // Arrange
        using var package = PackageArchive.Open(LocalPackages.Package("TraceMiddleware.OpenTelemetry"));

        // Act
        var dependencies = package.Element("dependencies")!.Descendants().Where(e => e.Name.LocalName == "dependency")
            .ToDictionary(e => e.Attribute("id")!.Value, e => e.Attribute("version")!.Value);

        // Assert
        Assert.Equal(Repository.Version, dependencies["TraceMiddleware"]);
        Assert.Contains("OpenTelemetry", dependencies.Keys);
    }

    private static bool IsInRepository(string url) =>
        url == Repository.Url
        || url.StartsWith(Repository.Url + "/", StringComparison.Ordinal)
        || url.StartsWith(Repository.Url + "#", StringComparison.Ordinal);

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)\)")]
    private static partial Regex MarkdownLinkTarget();
}
