namespace TraceMiddleware.PackageTests.Infrastructure;

/// <summary>
/// The folder holding the packed .nupkg and .snupkg files: TRACEMIDDLEWARE_PACKAGES when build/test.sh set it, else a
/// temporary folder build/pack.sh packs into once per test run.
/// </summary>
public static class LocalPackages
{
    public const string FolderVariable = "TRACEMIDDLEWARE_PACKAGES";

    private static readonly Lazy<string> s_folder = new(Locate);

    public static string Folder => s_folder.Value;

    /// <summary>The .nupkg of <paramref name="id"/> at the repository's version.</summary>
    public static string Package(string id) => Existing($"{id}.{Repository.Version}.nupkg");

    /// <summary>The .snupkg (symbols) of <paramref name="id"/> at the repository's version.</summary>
    public static string SymbolPackage(string id) => Existing($"{id}.{Repository.Version}.snupkg");

    private static string Existing(string fileName)
    {
        var path = Path.Combine(Folder, fileName);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{fileName} is not in {Folder}, which holds: {string.Join(", ", Directory.GetFiles(Folder).Select(Path.GetFileName))}.", path);
    }

    private static string Locate()
    {
        if (Environment.GetEnvironmentVariable(FolderVariable) is { Length: > 0 } folder)
        {
            return Directory.Exists(folder)
                ? Path.GetFullPath(folder)
                : throw new DirectoryNotFoundException($"{FolderVariable} names {folder}, which does not exist; run build/pack.sh {folder} first.");
        }

        var packed = Path.Combine(Path.GetTempPath(), "tracemiddleware-packages-" + Path.GetRandomFileName());
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            if (Directory.Exists(packed))
            {
                Directory.Delete(packed, recursive: true);
            }
        };
        ProcessRunner.Run("bash", [Path.Combine(Repository.Root, "build", "pack.sh"), packed], Repository.Root, ProcessRunner.WithoutHostSettings(), TimeSpan.FromMinutes(10));
        return packed;
    }
}
