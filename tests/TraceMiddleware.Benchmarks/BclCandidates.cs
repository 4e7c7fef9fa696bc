using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using TraceMiddleware.Propagation;

namespace TraceMiddleware.Benchmarks;

/// <summary>
/// The plain BCL way of doing what each fast path kept in Propagation/ and Sampling/ does, with the same
/// results, so that <see cref="FastPathBenchmarks"/> can run both in one process.
/// </summary>
internal static class BclCandidates
{
    private const NumberStyles DecimalStyle = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;

    public static bool TryParseTraceId(ReadOnlySpan<char> s, out UInt128 id)
    {
        id = default;
        Span<byte> bytes = stackalloc byte[16];
        if (s.Length != HexId.TraceIdLength || !HexId.IsLowerHex(s) || Convert.FromHexString(s, bytes, out _, out _) != OperationStatus.Done)
        {
            return false;
        }

        id = BinaryPrimitives.ReadUInt128BigEndian(bytes);
        return id != UInt128.Zero;
    }

    public static bool TryParseSpanId(ReadOnlySpan<char> s, out ulong id)
    {
        id = 0;
        Span<byte> bytes = stackalloc byte[8];
        if (s.Length != HexId.SpanIdLength || !HexId.IsLowerHex(s) || Convert.FromHexString(s, bytes, out _, out _) != OperationStatus.Done)
        {
            return false;
        }

        id = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        return id != 0;
    }

    public static bool TryParseDecimal(ReadOnlySpan<char> s, out double value) =>
        double.TryParse(s, DecimalStyle, CultureInfo.InvariantCulture, out value);

    // Uri leaves what decodeURIComponent rejects (a malformed escape, invalid UTF-8) escaped, so a '%' is then
    // left over beyond those that "%25" decodes to.
    public static bool TryDecode(ReadOnlySpan<char> s, Span<char> dest, out int written)
    {
        if (PercentEncoding.ContainsSurrogate(s) || !Uri.TryUnescapeDataString(s, dest, out written)
            || dest[..written].Count('%') != s.Count("%25"))
        {
            written = 0;
            return false;
        }

        return true;
    }

    public static bool TryGetDecodedLength(ReadOnlySpan<char> s, out int length)
    {
        char[]? rented = null;
        var buffer = s.Length <= 256 ? stackalloc char[s.Length] : (rented = ArrayPool<char>.Shared.Rent(s.Length));
        try
        {
            return TryDecode(s, buffer, out length);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }
}
