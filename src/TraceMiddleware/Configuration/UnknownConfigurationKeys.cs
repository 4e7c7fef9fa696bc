using Microsoft.Extensions.Configuration;

namespace TraceMiddleware.Configuration;

/// <summary>
/// Finds the keys of a section that its binders do not read: a misspelled option is otherwise silently
/// ignored, and the service runs on the default without a word.
/// </summary>
internal static class UnknownConfigurationKeys
{
    /// <summary>
    /// The keys under <paramref name="section"/> (and under its known sub-sections) that
    /// <paramref name="schema"/> does not know, in key order. The children of a known key (list
    /// entries such as <c>TracePropagationTargets:0</c>) belong to it and are not checked.
    /// </summary>
    public static List<UnknownConfigurationKey> Find(IConfigurationSection section, ConfigurationSchema schema)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(schema);
        var unknown = new List<UnknownConfigurationKey>();
        Collect(section, schema, unknown);
        return unknown;
    }

    private static void Collect(IConfigurationSection section, ConfigurationSchema schema, List<UnknownConfigurationKey> unknown)
    {
        foreach (var child in section.GetChildren())
        {
            if (schema.Sections.TryGetValue(child.Key, out var subsection))
            {
                Collect(child, subsection, unknown);
            }
            else if (!schema.IsKey(child.Key))
            {
                var closest = KeySuggestion.Closest(child.Key, schema.Names);
                unknown.Add(new UnknownConfigurationKey(child.Path, closest is null ? null : ConfigurationPath.Combine(section.Path, closest)));
            }
        }
    }
}
