using System.Buffers;
using System.Globalization;

namespace TraceMiddleware.Propagation;

/// <summary>
/// The text a <see cref="TracePropagationTarget"/> is matched against: <c>scheme://host[:port]/path</c>.
/// </summary>
/// <remarks>
/// Userinfo, query and fragment are left out so that a target cannot be satisfied by text the caller
/// does not control the destination with (<c>https://other/?next=api.example.com</c>,
/// <c>https://api.example.com@evil.com/</c>). The port is written only when it is not the scheme's
/// default, so <c>https://host:443/</c> and <c>https://host/</c> read the same.
/// </remarks>
internal static class TargetUrl
{
    /// <summary>URL texts up to this many characters are built on the stack; longer ones in a pooled array.</summary>
    public const int StackBufferLength = 256;

    private const string SchemeDelimiter = "://";

    /// <summary>Decides on URL text; returns a result of the caller's choosing.</summary>
    public delegate int Evaluator<TState>(ReadOnlySpan<char> urlText, TState state);

    /// <summary>
    /// Builds the URL text of <paramref name="uri"/> (on the stack, or in a pooled array when long) and
    /// returns what <paramref name="evaluate"/> says of it; -1 when the URI has no URL text (relative).
    /// </summary>
    public static int Evaluate<TState>(Uri uri, TState state, Evaluator<TState> evaluate)
    {
        var length = GetLength(uri);
        if (length < 0)
        {
            return -1;
        }

        char[]? rented = null;
        // Sized to the text: a stackalloc is zeroed, and a fixed buffer would be zeroed whole for every URL.
        Span<char> buffer = length <= StackBufferLength
            ? stackalloc char[length]
            : (rented = ArrayPool<char>.Shared.Rent(length));
        try
        {
            return TryWrite(uri, buffer, out var written) ? evaluate(buffer[..written], state) : -1;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The number of characters <see cref="TryWrite"/> writes for <paramref name="uri"/>, or -1 for a relative URI.</summary>
    public static int GetLength(Uri uri)
    {
        if (!uri.IsAbsoluteUri)
        {
            return -1;
        }

        var length = uri.Scheme.Length + SchemeDelimiter.Length + uri.Host.Length + uri.AbsolutePath.Length;
        if (HasExplicitPort(uri))
        {
            length += 1 + CountDigits(uri.Port);
        }

        return length;
    }

    /// <summary>
    /// Writes <c>scheme://host[:port]/path</c> of an absolute <paramref name="uri"/> into <paramref name="destination"/>.
    /// </summary>
    /// <returns><see langword="false"/> for a relative URI or a destination that is too small.</returns>
    public static bool TryWrite(Uri uri, Span<char> destination, out int written)
    {
        written = 0;
        if (!uri.IsAbsoluteUri)
        {
            return false;
        }

        // Uri caches these strings after the first read, so building the text allocates nothing.
        var scheme = uri.Scheme;
        var host = uri.Host;
        var path = uri.AbsolutePath;
        var position = 0;
        if (!TryAppend(destination, ref position, scheme)
            || !TryAppend(destination, ref position, SchemeDelimiter)
            || !TryAppend(destination, ref position, host))
        {
            return false;
        }

        if (HasExplicitPort(uri))
        {
            if (!TryAppend(destination, ref position, ":")
                || !uri.Port.TryFormat(destination[position..], out var portLength, default, CultureInfo.InvariantCulture))
            {
                return false;
            }

            position += portLength;
        }

        if (!TryAppend(destination, ref position, path))
        {
            return false;
        }

        written = position;
        return true;
    }

    /// <summary>The URL text of <paramref name="uri"/> as a string, for diagnostics; <see langword="null"/> for a relative URI.</summary>
    public static string? ToText(Uri uri)
    {
        var length = GetLength(uri);
        if (length < 0)
        {
            return null;
        }

        return string.Create(length, uri, static (span, state) => TryWrite(state, span, out _));
    }

    /// <summary>The URL text of <paramref name="uri"/> for a log line, whatever it is.</summary>
    public static string ForLog(Uri? uri) => uri is null ? "(no URL)" : ToText(uri) ?? uri.OriginalString;

    /// <summary>
    /// Finds the host (with the brackets of an IPv6 literal) in URL text such as <c>http://localhost:5000/x</c>.
    /// </summary>
    /// <remarks>
    /// Also tolerates text that still carries userinfo, a query or a fragment, so that a caller who passes raw
    /// URL text cannot make a loopback target match through them.
    /// </remarks>
    public static bool TryGetHost(ReadOnlySpan<char> urlText, out ReadOnlySpan<char> host)
    {
        host = default;
        var schemeEnd = urlText.IndexOf(SchemeDelimiter.AsSpan());
        if (schemeEnd <= 0)
        {
            return false;
        }

        var authority = urlText[(schemeEnd + SchemeDelimiter.Length)..];
        var authorityEnd = authority.IndexOfAny('/', '?', '#');
        if (authorityEnd >= 0)
        {
            authority = authority[..authorityEnd];
        }

        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            authority = authority[(at + 1)..];
        }

        if (!authority.IsEmpty && authority[0] == '[')
        {
            var close = authority.IndexOf(']');
            if (close < 0)
            {
                return false;
            }

            host = authority[..(close + 1)];
            return true;
        }

        var colon = authority.IndexOf(':');
        host = colon >= 0 ? authority[..colon] : authority;
        return !host.IsEmpty;
    }

    private static bool HasExplicitPort(Uri uri) => !uri.IsDefaultPort && uri.Port >= 0;

    private static bool TryAppend(Span<char> destination, ref int position, string value)
    {
        if (!value.AsSpan().TryCopyTo(destination[position..]))
        {
            return false;
        }

        position += value.Length;
        return true;
    }

    private static int CountDigits(int value)
    {
        var digits = 1;
        while (value >= 10)
        {
            value /= 10;
            digits++;
        }

        return digits;
    }
}
