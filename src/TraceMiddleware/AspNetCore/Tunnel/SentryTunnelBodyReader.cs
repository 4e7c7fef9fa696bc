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
    /// <param name="body">The request body.</param>
    /// <param name="contentLength">The declared length, at most <paramref name="maxBodySize"/>, or none.</param>
    /// <param name="maxBodySize">The largest body taken.</param>
    /// <param name="cancellationToken">Ends the read: the request was aborted or its body is too late.</param>
    public static async Task<(byte[] Buffer, int Length)> ReadAsync(Stream body, long? contentLength, int maxBodySize, CancellationToken cancellationToken)
    {
        var limit = maxBodySize + 1;

        // A declared body gets a buffer of its size exactly: renting one byte more to see the end would double
        // a power-of-two size (1 MiB, the default limit) in the pool's buckets.
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(contentLength ?? InitialBufferSize, 1, limit));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var next = await ReadOneByteAsync(body, cancellationToken).ConfigureAwait(false);
                    if (next < 0)
                    {
                        return (buffer, length);
                    }

                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(limit, buffer.Length * 2L));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                    buffer[length++] = (byte)next;
                }
                else
                {
                    var read = await body.ReadAsync(buffer.AsMemory(length, Math.Min(buffer.Length, limit) - length), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        return (buffer, length);
                    }

                    length += read;
                }

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

    /// <summary>Whether a full buffer was the whole body: the next byte, or -1 at the end.</summary>
    private static async Task<int> ReadOneByteAsync(Stream body, CancellationToken cancellationToken)
    {
        var one = ArrayPool<byte>.Shared.Rent(1);
        try
        {
            return await body.ReadAsync(one.AsMemory(0, 1), cancellationToken).ConfigureAwait(false) == 0 ? -1 : one[0];
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(one);
        }
    }
}
