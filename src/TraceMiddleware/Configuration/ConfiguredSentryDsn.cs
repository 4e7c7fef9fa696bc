namespace TraceMiddleware.Configuration;

/// <summary>
/// One host's Sentry DSN (the <c>Dsn</c> option), parsed once and handed to whatever needs it: options
/// validation (for its error), the runtime (public key and org id for the DSC), the exporter and the tunnel.
/// </summary>
/// <remarks>
/// The text comes through a callback rather than the options themselves, so that export does not depend on
/// how the options are bound. Validation sees the text first, before the options are handed out, and its parse
/// is the one every later reader gets; a different text (options reloaded) is parsed again.
/// </remarks>
internal sealed class ConfiguredSentryDsn
{
    private readonly Func<string?> _text;
    private volatile Parsed? _last;

    /// <param name="text">Reads the configured DSN text (null or empty: no DSN).</param>
    public ConfiguredSentryDsn(Func<string?> text)
    {
        ArgumentNullException.ThrowIfNull(text);
        _text = text;
    }

    /// <summary>The configured DSN, or <see langword="null"/> when none is set or it does not parse.</summary>
    public SentryDsn? Value => Resolve(_text(), out _);

    /// <summary>The DSN <paramref name="text"/> names, parsed once for as long as the text stays the same.</summary>
    /// <param name="text">The DSN text; null or empty is no DSN (and no error).</param>
    /// <param name="error">Why a non-empty text is not a DSN, or <see langword="null"/>.</param>
    /// <returns>The parsed DSN, or <see langword="null"/>.</returns>
    public SentryDsn? Resolve(string? text, out string? error)
    {
        var last = _last;
        if (last is null || !string.Equals(last.Text, text, StringComparison.Ordinal))
        {
            last = string.IsNullOrEmpty(text)
                ? new Parsed(text, null, null)
                : SentryDsn.TryParse(text, out var dsn, out var reason) ? new Parsed(text, dsn, null) : new Parsed(text, null, reason);
            _last = last;
        }

        error = last.Error;
        return last.Dsn;
    }

    private sealed record Parsed(string? Text, SentryDsn? Dsn, string? Error);
}
