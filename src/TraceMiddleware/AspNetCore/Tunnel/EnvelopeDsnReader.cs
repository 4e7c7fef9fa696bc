using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.IO.Compression;
using Microsoft.Extensions.Primitives;

namespace TraceMiddleware.AspNetCore.Tunnel;

/// <summary>
/// Reads the DSN an envelope body names, as the body was sent: the header line is found in the plain body,
/// or decompressed from a gzip, deflate or br one, and never more than that line is decompressed.
/// </summary>
internal static class EnvelopeDsnReader
{
    /// <summary>Reads the DSN of <paramref name="body"/> sent with the given <c>Content-Encoding</c>.</summary>
    public static bool TryReadDsn(byte[] body, string? contentEncoding, [NotNullWhen(true)] out string? dsn, [NotNullWhen(false)] out string? reason)
    {
        if (!ContentEncodingHeader.TryParse(new StringValues(contentEncoding), out var coding))
        {
            dsn = null;
            reason = "unsupported Content-Encoding";
            return false;
        }

        return TryReadDsn(body, body.Length, coding, out dsn, out reason);
    }

    /// <summary>Reads the DSN of the first <paramref name="length"/> bytes of <paramref name="body"/>.</summary>
    public static bool TryReadDsn(byte[] body, int length, ContentCoding coding, [NotNullWhen(true)] out string? dsn, [NotNullWhen(false)] out string? reason)
    {
        dsn = null;
        if (coding == ContentCoding.Identity)
        {
            var window = body.AsSpan(0, Math.Min(length, SentryEnvelopeHeader.MaxLength + 1));
            if (!SentryEnvelopeHeader.TryFindLine(window, complete: window.Length == length, out var lineLength))
            {
                reason = $"the envelope header is longer than {SentryEnvelopeHeader.MaxLength} bytes";
                return false;
            }

            return SentryEnvelopeHeader.TryReadDsn(window[..lineLength], out dsn, out reason);
        }

        var decoded = ArrayPool<byte>.Shared.Rent(SentryEnvelopeHeader.MaxLength + 1);
        try
        {
            if (!TryDecodeStart(body, length, coding, decoded.AsSpan(0, SentryEnvelopeHeader.MaxLength + 1), out var decodedLength, out var complete))
            {
                reason = $"the body is not valid {ContentEncodingHeader.Name(coding)}";
                return false;
            }

            var window = decoded.AsSpan(0, decodedLength);
            if (!SentryEnvelopeHeader.TryFindLine(window, complete, out var lineLength))
            {
                reason = $"the envelope header is longer than {SentryEnvelopeHeader.MaxLength} bytes";
                return false;
            }

            return SentryEnvelopeHeader.TryReadDsn(window[..lineLength], out dsn, out reason);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(decoded);
        }
    }

    /// <summary>Decompresses until the first newline, the end of the data, or a full <paramref name="destination"/>.</summary>
    private static bool TryDecodeStart(byte[] body, int length, ContentCoding coding, Span<byte> destination, out int written, out bool complete)
    {
        written = 0;
        complete = false;
        using var compressed = new MemoryStream(body, 0, length, writable: false);
        using Stream decoder = coding switch
        {
            ContentCoding.Gzip => new GZipStream(compressed, CompressionMode.Decompress),
            ContentCoding.Deflate => new ZLibStream(compressed, CompressionMode.Decompress),
            _ => new BrotliStream(compressed, CompressionMode.Decompress),
        };
        try
        {
            while (written < destination.Length)
            {
                var read = decoder.Read(destination[written..]);
                if (read == 0)
                {
                    complete = true;
                    return true;
                }

                var newline = destination.Slice(written, read).IndexOf((byte)'\n');
                written += read;
                if (newline >= 0)
                {
                    return true;
                }
            }

            return true;
        }
        catch (Exception e) when (e is InvalidDataException or InvalidOperationException or IOException)
        {
            // Bad data surfaces as InvalidDataException (gzip, zlib), InvalidOperationException (Brotli) or
            // an IOException (zlib's own error codes); the source is in memory, so nothing else can fail.
            return false;
        }
    }
}
