using System.Text;
using System.Text.Json;
using TraceMiddleware.PackageTests.Infrastructure;

namespace TraceMiddleware.PackageTests;

/// <summary>
/// The .snupkg beside each .nupkg: a debugger steps into the package's code from the PDB, the sources come from the
/// repository at the commit (SourceLink) or from the PDB itself, and nothing records the machine that built it.
/// </summary>
public sealed class PackageSymbolsTests
{
    public static TheoryData<string> Packages => ["TraceMiddleware", "TraceMiddleware.OpenTelemetry", "TraceMiddleware.Sentry"];

    [Theory]
    [MemberData(nameof(Packages))]
    public void SymbolPackage_HoldsThePdbOfThePackagedAssembly_BuiltDeterministically(string id)
    {
        // Arrange
        using var symbols = PackagedSymbols.Open(id);

        // Act
        var (pdbGuid, pdbPath, reproducible) = symbols.ReadAssemblyDebugDirectory();

        // Assert
        Assert.Equal(pdbGuid, symbols.PdbGuid);
        Assert.True(reproducible, $"{id}.dll was not compiled deterministically (no Reproducible debug directory entry).");
        Assert.StartsWith("/_/", pdbPath, StringComparison.Ordinal);
        Assert.EndsWith($"/{id}.pdb", pdbPath, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Packages))]
    public void Pdb_RecordsSourcePathsUnderSlashUnderscore_AndNoPathOfTheBuildMachine(string id)
    {
        // Arrange
        using var symbols = PackagedSymbols.Open(id);

        // Act
        var paths = symbols.DocumentPaths;

        // Assert
        Assert.Contains(paths, p => p.StartsWith($"/_/src/{id}/", StringComparison.Ordinal));
        Assert.All(paths, p => Assert.StartsWith("/_/", p, StringComparison.Ordinal));
        foreach (var (what, bytes) in new[] { ("PDB", symbols.PdbBytes), ("assembly", symbols.AssemblyBytes) })
        {
            foreach (var encoding in new Encoding[] { Encoding.UTF8, Encoding.Unicode })
            {
                Assert.False(
                    bytes.AsSpan().IndexOf(encoding.GetBytes(Repository.Root + "/")) >= 0,
                    $"The {what} of {id} holds the build machine's path {Repository.Root} ({encoding.EncodingName}).");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Packages))]
    public void Pdb_SourceLinkMapsEverySourceToTheRepositoryAtTheCommit(string id)
    {
        // Arrange
        using var symbols = PackagedSymbols.Open(id);
        var rawContent = Repository.Url.Replace("https://github.com/", "https://raw.githubusercontent.com/", StringComparison.Ordinal);

        // Act
        var json = symbols.SourceLinkJson;

        // Assert
        Assert.NotNull(json);
        var documents = JsonDocument.Parse(json).RootElement.GetProperty("documents")
            .EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        Assert.Equal(new Dictionary<string, string?> { ["/_/*"] = $"{rawContent}/{Repository.HeadCommit}/*" }, documents);
    }

    [Theory]
    [MemberData(nameof(Packages))]
    public void Pdb_EmbedsEverySourceThatGitDoesNotTrack(string id)
    {
        // Arrange
        using var symbols = PackagedSymbols.Open(id);
        var tracked = Repository.TrackedFiles();

        // Act: SourceLink serves what the commit has; anything else (generated at build time) must be in the PDB.
        var unreachable = symbols.DocumentPaths
            .Where(p => !tracked.Contains(p["/_/".Length..]) && !symbols.EmbeddedDocumentPaths.Contains(p))
            .ToList();

        // Assert
        Assert.Empty(unreachable);
        Assert.Contains(symbols.DocumentPaths, p => tracked.Contains(p["/_/".Length..]));
    }
}
