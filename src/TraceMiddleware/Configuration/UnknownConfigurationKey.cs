namespace TraceMiddleware.Configuration;

/// <summary>A key in a section that no binder reads, so its value is ignored.</summary>
/// <param name="Path">Its full path, such as <c>Tracing:TracesSampelRate</c>.</param>
/// <param name="Suggestion">The full path of the known key it was probably meant to be, or <see langword="null"/> when none is close.</param>
internal sealed record UnknownConfigurationKey(string Path, string? Suggestion);
