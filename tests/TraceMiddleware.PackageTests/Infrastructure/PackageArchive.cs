using System.IO.Compression;
using System.Xml.Linq;

namespace TraceMiddleware.PackageTests.Infrastructure;

/// <summary>A .nupkg or .snupkg opened as the zip file it is, with its nuspec parsed.</summary>
public sealed class PackageArchive : IDisposable
{
    private readonly ZipArchive _zip;

    private PackageArchive(string path)
    {
        Path = path;
        _zip = ZipFile.OpenRead(path);
        var nuspecs = _zip.Entries.Where(e => !e.FullName.Contains('/') && e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).ToList();
        Assert.True(nuspecs.Count == 1, $"{path} has {nuspecs.Count} nuspec files at its root.");
        using var stream = nuspecs[0].Open();
        Metadata = XDocument.Load(stream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
    }

    public string Path { get; }

    /// <summary>The nuspec's &lt;metadata&gt; element.</summary>
    public XElement Metadata { get; }

    public IReadOnlyList<string> EntryNames => _zip.Entries.Select(e => e.FullName).ToList();

    public static PackageArchive Open(string path) => new(path);

    /// <summary>The text of the metadata element <paramref name="name"/>, or null when the nuspec has none.</summary>
    public string? Value(string name) => Element(name)?.Value;

    public XElement? Element(string name) => Metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name);

    public byte[] ReadEntry(string name)
    {
        var entry = _zip.GetEntry(name) ?? throw new InvalidOperationException($"{Path} has no entry {name}; it has: {string.Join(", ", EntryNames)}.");
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    public void Dispose() => _zip.Dispose();
}
