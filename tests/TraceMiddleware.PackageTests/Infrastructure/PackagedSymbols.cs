using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Text;

namespace TraceMiddleware.PackageTests.Infrastructure;

/// <summary>
/// A package's assembly (from the .nupkg) and its portable PDB (from the .snupkg), read with System.Reflection.Metadata,
/// as a debugger or a symbol server reads them.
/// </summary>
public sealed class PackagedSymbols : IDisposable
{
    private static readonly Guid s_sourceLinkKind = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");
    private static readonly Guid s_embeddedSourceKind = new("0E8A571B-6926-466E-B4AD-8AB04611F5FE");

    private readonly MetadataReaderProvider _pdbProvider;
    private readonly MetadataReader _pdb;

    private PackagedSymbols(string id)
    {
        using (var package = PackageArchive.Open(LocalPackages.Package(id)))
        {
            AssemblyBytes = package.ReadEntry($"lib/net10.0/{id}.dll");
        }

        using (var symbols = PackageArchive.Open(LocalPackages.SymbolPackage(id)))
        {
            PdbBytes = symbols.ReadEntry($"lib/net10.0/{id}.pdb");
        }

        _pdbProvider = MetadataReaderProvider.FromPortablePdbStream(new MemoryStream(PdbBytes));
        _pdb = _pdbProvider.GetMetadataReader();
    }

    public byte[] AssemblyBytes { get; }

    public byte[] PdbBytes { get; }

    /// <summary>The PDB's id: the GUID a debugger matches against the assembly's CodeView entry.</summary>
    public Guid PdbGuid => new(_pdb.DebugMetadataHeader!.Id.AsSpan(0, 16));

    /// <summary>The source files the PDB names, as the compiler recorded their paths.</summary>
    public IReadOnlyList<string> DocumentPaths => _pdb.Documents.Select(h => _pdb.GetString(_pdb.GetDocument(h).Name)).ToList();

    /// <summary>The documents whose text is embedded in the PDB.</summary>
    public IReadOnlySet<string> EmbeddedDocumentPaths =>
        _pdb.Documents
            .Where(h => _pdb.GetCustomDebugInformation(h).Any(c => _pdb.GetGuid(_pdb.GetCustomDebugInformation(c).Kind) == s_embeddedSourceKind))
            .Select(h => _pdb.GetString(_pdb.GetDocument(h).Name))
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>The SourceLink JSON the PDB carries, or null.</summary>
    public string? SourceLinkJson
    {
        get
        {
            foreach (var handle in _pdb.GetCustomDebugInformation(EntityHandle.ModuleDefinition))
            {
                var information = _pdb.GetCustomDebugInformation(handle);
                if (_pdb.GetGuid(information.Kind) == s_sourceLinkKind)
                {
                    return Encoding.UTF8.GetString(_pdb.GetBlobBytes(information.Value));
                }
            }

            return null;
        }
    }

    public static PackagedSymbols Open(string id) => new(id);

    /// <summary>The assembly's debug directory: its CodeView entry (PDB id and path) and whether it was built deterministically.</summary>
    public (Guid PdbGuid, string PdbPath, bool Reproducible) ReadAssemblyDebugDirectory()
    {
        using var pe = new PEReader(new MemoryStream(AssemblyBytes));
        var entries = pe.ReadDebugDirectory();
        var codeView = pe.ReadCodeViewDebugDirectoryData(entries.Single(e => e.Type == DebugDirectoryEntryType.CodeView));
        return (codeView.Guid, codeView.Path, entries.Any(e => e.Type == DebugDirectoryEntryType.Reproducible));
    }

    public void Dispose() => _pdbProvider.Dispose();
}
