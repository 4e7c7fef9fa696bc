using System.Buffers;

namespace TraceMiddleware.AspNetCore.Tunnel;

/// <summary>Reads a tunnel request's body into one pooled buffer, never holding more than the limit allows.</summary>
internal static class SentryTunnelBodyReader
{
    /// <summary>The first buffer for a body sent without Content-Length (chunked); it doubles up to the limit.</summary>
    public const int InitialBufferSize = 16 * 1024;

    /// <summary>
    /// Reads the body into a buffer rented from <see cref="ArrayPool{T}.Shared"/>, stopping one byte past
    /// <paramref name="maxBodySize"/> (the caller answers 413 then). The caller returns the buffer.
    /// </summary>
    public static async Task<(byte[] Buffer, int Length)> ReadAsync(Stream body, long? contentLength, int maxBodySize, CancellationToken cancellationToken)
    {
        var limit = maxBodySize + 1;
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(limit, contentLength is long n ? n + 1 : InitialBufferSize));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(limit, buffer.Length * 2L));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await body.ReadAsync(buffer.AsMemory(length, Math.Min(buffer.Length, limit) - length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return (buffer, length);
                }

                length += read;
                if (length > maxBodySize)
                {
                    return (buffer, length);
                }
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }
}
