namespace TraceMiddleware.Propagation;

/// <summary>
/// HTTP optional whitespace (RFC 9110 OWS: spaces and horizontal tabs) around header values and list
/// members.
/// </summary>
internal static class OptionalWhitespace
{
    private const string Chars = " \t";

    /// <summary>Whether <paramref name="c"/> is a space or a horizontal tab.</summary>
    public static bool IsOws(char c) => c == ' ' || c == '\t';

    /// <summary><paramref name="value"/> without leading and trailing spaces and tabs.</summary>
    public static ReadOnlySpan<char> Trim(ReadOnlySpan<char> value) => value.Trim(Chars);
}
