using System.Collections;
using System.Security;

namespace TraceMiddleware.PackageTests.Infrastructure;

/// <summary>
/// A temporary folder outside the repository where apps are made as a user makes them. Empty Directory.Build.props,
/// Directory.Build.targets and Directory.Packages.props stop MSBuild from looking further up; its nuget.config adds the
/// local package folder to the machine's own package sources; packages are restored into a global packages folder
/// of its own, so a package packed earlier with the same version is never taken from a cache.
/// </summary>
public sealed class ConsumerWorkspace : IDisposable
{
    private ConsumerWorkspace(string directory)
    {
        Directory = directory;
        PackagesFolder = Path.Combine(directory, ".packages");
    }

    public string Directory { get; }

    /// <summary>The global packages folder the apps restore into (NUGET_PACKAGES).</summary>
    public string PackagesFolder { get; }

    /// <summary>
    /// The environment of every dotnet command and app here: <see cref="ProcessRunner.WithoutHostSettings"/>, without
    /// settings an app would read, and with the workspace's packages folder.
    /// </summary>
    public IReadOnlyDictionary<string, string?> Environment
    {
        get
        {
            var environment = ProcessRunner.WithoutHostSettings();
            environment["NUGET_PACKAGES"] = PackagesFolder;
            environment[LocalPackages.FolderVariable] = null;
            foreach (DictionaryEntry variable in System.Environment.GetEnvironmentVariables())
            {
                var name = (string)variable.Key;
                if (name.StartsWith("Tracing__", StringComparison.OrdinalIgnoreCase)
                    || name.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)
                    || name.Equals("DOTNET_ENVIRONMENT", StringComparison.OrdinalIgnoreCase)
                    || name.StartsWith("SENTRY_", StringComparison.OrdinalIgnoreCase))
                {
                    environment[name] = null;
                }
            }

            return environment;
        }
    }

    public static ConsumerWorkspace Create()
    {
        var directory = Path.Combine(Path.GetTempPath(), "tracemiddleware-consumer-" + Path.GetRandomFileName());
        if (directory.StartsWith(Repository.Root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The temporary folder {directory} is inside the repository, whose Directory.Build.props the apps would pick up; set TMPDIR elsewhere.");
        }

        System.IO.Directory.CreateDirectory(directory);
        foreach (var stop in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" })
        {
            File.WriteAllText(Path.Combine(directory, stop), "<Project />\n");
        }

        File.WriteAllText(Path.Combine(directory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="tracemiddleware-local" value="{SecurityElement.Escape(LocalPackages.Folder)}" />
              </packageSources>
            </configuration>

            """);
        return new ConsumerWorkspace(directory);
    }

    /// <summary>Where <paramref name="id"/> was restored from, as NuGet recorded it in the packages folder.</summary>
    public string RestoredFrom(string id)
    {
        var metadata = Path.Combine(PackagesFolder, id.ToLowerInvariant(), Repository.Version, ".nupkg.metadata");
        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(metadata));
        return document.RootElement.GetProperty("source").GetString()!;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A process that has not let go of a file yet; the folder is in the temporary directory anyway.
        }
    }
}
