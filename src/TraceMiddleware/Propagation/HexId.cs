using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace TraceMiddleware.Propagation;

/// <summary>
/// Allocation-free conversions between the lowercase hex text of trace and span ids and the numbers
/// the header structs store.
/// </summary>
/// <remarks>
/// <see cref="ActivityTraceId"/> and <see cref="ActivitySpanId"/> each wrap a string, so creating one
/// allocates; the header structs keep a <see cref="UInt128"/> / <see cref="ulong"/> and create the
/// Activity ids only when asked. Big-endian byte order keeps the hex text identical both ways.
/// </remarks>
internal static class HexId
{
    /// <summary>Length of a trace id in hex characters.</summary>
    public const int TraceIdLength = 32;

    /// <summary>Length of a span id in hex characters.</summary>
    public const int SpanIdLength = 16;

    private const string LowerHexDigits = "0123456789abcdef";

    private static readonly SearchValues<char> s_lowerHex = SearchValues.Create(LowerHexDigits);

    /// <summary>
    /// Whether <paramref name="s"/> is non-empty and made only of <c>0-9</c> and <c>a-f</c>.
    /// </summary>
    public static bool IsLowerHex(ReadOnlySpan<char> s) => !s.IsEmpty && !s.ContainsAnyExcept(s_lowerHex);

    /// <summary>
    /// Parses exactly 32 lowercase hex characters that are not all zero.
    /// </summary>
    public static bool TryParseTraceId(ReadOnlySpan<char> s, out UInt128 id)
    {
        id = default;
        if (s.Length != TraceIdLength || !IsLowerHex(s))
        {
            return false;
        }

        id = new UInt128(DecodeSixteen(s[..SpanIdLength]), DecodeSixteen(s[SpanIdLength..]));
        return id != UInt128.Zero;
    }

    /// <summary>
    /// Parses exactly 16 lowercase hex characters that are not all zero.
    /// </summary>
    public static bool TryParseSpanId(ReadOnlySpan<char> s, out ulong id)
    {
        id = 0;
        if (s.Length != SpanIdLength || !IsLowerHex(s))
        {
            return false;
        }

        id = DecodeSixteen(s);
        return id != 0;
    }

    /// <summary>Writes <paramref name="id"/> as 32 lowercase, zero-padded hex characters.</summary>
    public static bool TryFormatTraceId(UInt128 id, Span<char> destination, out int charsWritten)
    {
        if (destination.Length < TraceIdLength)
        {
            charsWritten = 0;
            return false;
        }

        Span<byte> bytes = stackalloc byte[TraceIdLength / 2];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, id);
        Convert.TryToHexStringLower(bytes, destination, out _);
        charsWritten = TraceIdLength;
        return true;
    }

    /// <summary>Writes <paramref name="id"/> as 16 lowercase, zero-padded hex characters.</summary>
    public static bool TryFormatSpanId(ulong id, Span<char> destination, out int charsWritten)
    {
        if (destination.Length < SpanIdLength)
        {
            charsWritten = 0;
            return false;
        }

        Span<byte> bytes = stackalloc byte[SpanIdLength / 2];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, id);
        Convert.TryToHexStringLower(bytes, destination, out _);
        charsWritten = SpanIdLength;
        return true;
    }

    /// <summary>
    /// Creates the <see cref="ActivityTraceId"/> with the same hex text; zero gives <c>default</c>.
    /// </summary>
    public static ActivityTraceId ToActivityTraceId(UInt128 id)
    {
        // default(ActivityTraceId) is not Equal to one created from zero bytes, so zero maps to default
        // to keep "no id" comparable with what the rest of .NET uses.
        if (id == UInt128.Zero)
        {
            return default;
        }

        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, id);
        return ActivityTraceId.CreateFromBytes(bytes);
    }

    /// <summary>
    /// Creates the <see cref="ActivitySpanId"/> with the same hex text; zero gives <c>default</c>.
    /// </summary>
    public static ActivitySpanId ToActivitySpanId(ulong id)
    {
        if (id == 0)
        {
            return default;
        }

        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, id);
        return ActivitySpanId.CreateFromBytes(bytes);
    }

    /// <summary>The number whose hex text is <paramref name="id"/>'s; <c>default</c> gives zero.</summary>
    public static UInt128 FromActivityTraceId(ActivityTraceId id)
    {
        Span<byte> bytes = stackalloc byte[16];
        id.CopyTo(bytes);
        return BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    /// <summary>The number whose hex text is <paramref name="id"/>'s; <c>default</c> gives zero.</summary>
    public static ulong FromActivitySpanId(ActivitySpanId id)
    {
        Span<byte> bytes = stackalloc byte[8];
        id.CopyTo(bytes);
        return BinaryPrimitives.ReadUInt64BigEndian(bytes);
    }

    // Sixteen characters IsLowerHex accepted, as the number they spell: two 128-bit vectors of chars narrowed to
    // bytes, turned into nibbles, and each pair of nibbles into one byte, in a handful of instructions. Kept over
    // Convert.FromHexString because it pays per request: sentry-trace is read twice (by the host's propagator and
    // by the middleware), and FastPathBenchmarks ("hex ids") measured those four ids at 36 ns against 267 ns.
    private static ulong DecodeSixteen(ReadOnlySpan<char> s)
    {
        if (!Vector128.IsHardwareAccelerated)
        {
            Span<byte> bytes = stackalloc byte[sizeof(ulong)];
            Convert.FromHexString(s, bytes, out _, out _);
            return BinaryPrimitives.ReadUInt64BigEndian(bytes);
        }

        ref var first = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(s));
        var chars = Vector128.Narrow(Vector128.LoadUnsafe(ref first), Vector128.LoadUnsafe(ref first, 8));

        // '0'-'9' are 0x30-0x39, 'a'-'f' 0x61-0x66: the low nibble, plus 9 when bit 6 is set.
        var letters = Vector128.ShiftRightLogical(chars, 6);
        var nibbles = (chars & Vector128.Create((byte)0x0F)) + letters + Vector128.ShiftLeft(letters, 3);

        // Each little-endian pair (high digit, low digit) becomes high << 4 | low in its low byte.
        var pairs = nibbles.AsUInt16();
        var bytePairs = (Vector128.ShiftLeft(pairs, 4) & Vector128.Create((ushort)0xF0)) | Vector128.ShiftRightLogical(pairs, 8);
        var packed = Vector128.Narrow(bytePairs, bytePairs).AsUInt64().ToScalar();

        // The first digit pair is the most significant byte.
        return BinaryPrimitives.ReverseEndianness(packed);
    }

    /// <summary>The value of a lowercase hex digit, or -1 for any other character.</summary>
    internal static int LowerHexValue(char c)
    {
        if ((uint)(c - '0') <= 9)
        {
            return c - '0';
        }

        if ((uint)(c - 'a') <= 'f' - 'a')
        {
            return c - 'a' + 10;
        }

        return -1;
    }
}
