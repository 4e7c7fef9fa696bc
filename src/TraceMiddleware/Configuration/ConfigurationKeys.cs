using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace TraceMiddleware.Configuration;

/// <summary>
/// Keys of the common shapes, so that adding an option to a binder's table is one line:
/// <c>Flag&lt;TracingOptions&gt;(nameof(TracingOptions.X), (o, v) =&gt; o.X = v)</c>.
/// </summary>
internal static class ConfigurationKeys
{
    /// <summary>A string; an empty value sets <see langword="null"/>, an absent key leaves the option as it is.</summary>
    public static ConfigurationKey<TOptions> Text<TOptions>(string name, Action<TOptions, string?> set) =>
        new(name, (section, options, _) =>
        {
            if (section.Value is { } value)
            {
                set(options, value.Length == 0 ? null : value);
            }
        });

    /// <summary><c>true</c> or <c>false</c> (any case); an empty value leaves the option as it is.</summary>
    public static ConfigurationKey<TOptions> Flag<TOptions>(string name, Action<TOptions, bool> set) =>
        new(name, (section, options, errors) =>
        {
            if (section.Value is not { Length: > 0 } value)
            {
                return;
            }

            if (bool.TryParse(value, out var parsed))
            {
                set(options, parsed);
            }
            else
            {
                errors.Add($"{section.Path}: '{value}' is not true or false.");
            }
        });

    /// <summary>A whole number; an empty value leaves the option as it is.</summary>
    public static ConfigurationKey<TOptions> WholeNumber<TOptions>(string name, Action<TOptions, int> set) =>
        new(name, (section, options, errors) =>
        {
            if (section.Value is not { Length: > 0 } value)
            {
                return;
            }

            if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed))
            {
                set(options, parsed);
            }
            else
            {
                errors.Add($"{section.Path}: '{value}' is not a whole number.");
            }
        });

    /// <summary>
    /// A list of strings (<c>Key:0</c>, <c>Key:1</c>…), each trimmed, blank ones left out; present at all, it
    /// replaces the option's list.
    /// </summary>
    public static ConfigurationKey<TOptions> TextList<TOptions>(string name, Action<TOptions, List<string>> set) =>
        new(name, (section, options, _) =>
        {
            if (!section.Exists())
            {
                return;
            }

            var list = new List<string>();
            foreach (var child in section.GetChildren())
            {
                if (!string.IsNullOrWhiteSpace(child.Value))
                {
                    list.Add(child.Value.Trim());
                }
            }

            set(options, list);
        });

    /// <summary>
    /// Names with string values (<c>Key:team</c>, <c>Key:region</c>…), blank values left out; present at all, it
    /// replaces the option's map. Names compare without case, as configuration does.
    /// </summary>
    public static ConfigurationKey<TOptions> TextMap<TOptions>(string name, Action<TOptions, Dictionary<string, string>> set) =>
        new(name, (section, options, _) =>
        {
            if (!section.Exists())
            {
                return;
            }

            var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var child in section.GetChildren())
            {
                if (!string.IsNullOrWhiteSpace(child.Value))
                {
                    map[child.Key] = child.Value.Trim();
                }
            }

            set(options, map);
        });
}
