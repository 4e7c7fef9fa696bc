using Microsoft.Extensions.Primitives;

namespace TraceMiddleware.AspNetCore.Tunnel;

/// <summary>Reads a request's <c>Content-Encoding</c>: one coding the tunnel can decode, or none.</summary>
internal static class ContentEncodingHeader
{
    /// <summary>What a 415 answer's <c>Accept-Encoding</c> offers.</summary>
    public const string Supported = "gzip, deflate, br";

    /// <summary>Whether <paramref name="header"/> names one supported coding (or none, which is identity).</summary>
    public static bool TryParse(StringValues header, out ContentCoding coding)
    {
        coding = ContentCoding.Identity;
        if (header.Count == 0)
        {
            return true;
        }

        // Several codings (two header lines, or "gzip, br") would each have to be undone in turn: refused.
        if (header.Count > 1)
        {
            return false;
        }

        var value = header.ToString().AsSpan().Trim();
        if (value.IsEmpty || value.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (value.Equals("gzip", StringComparison.OrdinalIgnoreCase) || value.Equals("x-gzip", StringComparison.OrdinalIgnoreCase))
        {
            coding = ContentCoding.Gzip;
            return true;
        }

        if (value.Equals("deflate", StringComparison.OrdinalIgnoreCase))
        {
            coding = ContentCoding.Deflate;
            return true;
        }

        if (value.Equals("br", StringComparison.OrdinalIgnoreCase))
        {
            coding = ContentCoding.Brotli;
            return true;
        }

        return false;
    }

    /// <summary>The coding's name as the header writes it, for the browser's reason text.</summary>
    public static string Name(ContentCoding coding) => coding switch
    {
        ContentCoding.Gzip => "gzip",
        ContentCoding.Deflate => "deflate",
        ContentCoding.Brotli => "br",
        _ => "identity",
    };
}
