namespace TraceMiddleware.AspNetCore.Tunnel;

/// <summary>The <c>Content-Encoding</c> values an envelope may arrive in; only its first line is ever decoded.</summary>
internal enum ContentCoding
{
    Identity,
    Gzip,
    Deflate,
    Brotli,
}
