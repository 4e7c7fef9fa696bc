using Microsoft.Extensions.Configuration;

namespace TraceMiddleware.Configuration;

/// <summary>
/// One key a binder reads, and how: a binder declares its keys in a table of these and binds from that
/// table, so the keys the start-up check knows (<see cref="UnknownConfigurationKeys"/>) are the keys bound.
/// </summary>
/// <typeparam name="TOptions">The options the key is bound into.</typeparam>
/// <param name="Name">The key, relative to its section, such as <c>TracesSampleRate</c>.</param>
/// <param name="Bind">
/// Reads the key's section (its <see cref="IConfigurationSection.Value"/>, or its children for a list) into the
/// options; a bad value adds an error that names <see cref="IConfigurationSection.Path"/> to the list.
/// </param>
internal sealed record ConfigurationKey<TOptions>(string Name, Action<IConfigurationSection, TOptions, List<string>> Bind);
