namespace TraceMiddleware.Configuration;

/// <summary>
/// The keys a configuration section may hold: its options' keys, taken from a binder's table (such as
/// <see cref="TracingOptionsBinder.Keys"/>), and its sub-sections with their own keys. Compared without case,
/// as .NET configuration compares keys.
/// </summary>
internal sealed class ConfigurationSchema
{
    private readonly HashSet<string> _keys;

    /// <param name="keys">The keys bound from the section itself; their children (list and map entries) are theirs.</param>
    /// <param name="sections">Sub-sections by name, each with its own keys.</param>
    public ConfigurationSchema(IEnumerable<string> keys, IReadOnlyDictionary<string, ConfigurationSchema>? sections = null)
    {
        Keys = [.. keys];
        _keys = new HashSet<string>(Keys, StringComparer.OrdinalIgnoreCase);
        Sections = sections is null
            ? new Dictionary<string, ConfigurationSchema>(StringComparer.OrdinalIgnoreCase)
            : new Dictionary<string, ConfigurationSchema>(sections, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The section's own keys, as the binder spells them.</summary>
    public IReadOnlyList<string> Keys { get; }

    /// <summary>The sub-sections, looked up without case.</summary>
    public IReadOnlyDictionary<string, ConfigurationSchema> Sections { get; }

    /// <summary>Whether <paramref name="key"/> is one of <see cref="Keys"/>, whatever its case.</summary>
    public bool IsKey(string key) => _keys.Contains(key);

    /// <summary>Every name this section knows, keys then sub-sections: the candidates for a suggestion.</summary>
    public IEnumerable<string> Names => Keys.Concat(Sections.Keys);
}
