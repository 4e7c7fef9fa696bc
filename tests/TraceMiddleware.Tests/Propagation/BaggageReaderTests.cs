using System.Runtime.CompilerServices;
using TraceMiddleware.Propagation;

namespace TraceMiddleware.Tests.Propagation;

public class BaggageReaderTests
{
    private static List<(string Key, string Value)> ReadRaw(string header)
    {
        var result = new List<(string, string)>();
        var reader = new BaggageReader(header);
        while (reader.MoveNext())
        {
            result.Add((reader.RawKey.ToString(), reader.RawValue.ToString()));
        }

        return result;
    }

    [Fact]
    public void MoveNext_RealSentryHeader_YieldsEveryMemberRawInOrder()
    {
        var members = ReadRaw(BaggageTests.RealJsHeader);

        Assert.Equal(8, members.Count);
        Assert.Equal(("sentry-environment", "dev"), members[0]);
        Assert.Equal(("sentry-release", "shop%401.2.3"), members[1]);
        Assert.Equal(("sentry-sample_rate", "1"), members[7]);
    }

    [Fact]
    public void MoveNext_OptionalWhitespace_IsTrimmedAroundKeysAndValues()
    {
        var members = ReadRaw(" a = 1 ,\tb\t=\t2\t, c=x y ");

        Assert.Equal([("a", "1"), ("b", "2"), ("c", "x y")], members);
    }

    [Fact]
    public void MoveNext_SplitsOnFirstEquals()
    {
        var members = ReadRaw("k=a=b,j==,l= =");

        Assert.Equal([("k", "a=b"), ("j", "="), ("l", "=")], members);
    }

    [Fact]
    public void MoveNext_Properties_StayPartOfTheValue()
    {
        var members = ReadRaw("k=v;prop=1,j=w ; p ; q=2");

        Assert.Equal([("k", "v;prop=1"), ("j", "w ; p ; q=2")], members);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData(",")]
    [InlineData(",,, ,")]
    [InlineData("novalue")]
    [InlineData("=")]
    [InlineData("=v")]
    [InlineData(" =v")]
    [InlineData("k=")]
    [InlineData("k= \t")]
    [InlineData("k=%zz")]
    [InlineData("k=%")]
    [InlineData("k=%C3")]
    [InlineData("%zz=v")]
    [InlineData("k=%ED%A0%80")]
    [InlineData("%C0%AF=v")]
    public void MoveNext_InvalidMember_IsSkipped(string header)
    {
        var reader = new BaggageReader(header);

        Assert.False(reader.MoveNext());
        Assert.True(reader.RawKey.IsEmpty);
        Assert.Equal(0, reader.Count);
    }

    [Fact]
    public void MoveNext_LoneSurrogateInKeyOrValue_IsSkipped()
    {
        var members = ReadRaw("k=\uD800,\uDC00=v,ok=\uD83D\uDE00");

        Assert.Equal([("ok", "\uD83D\uDE00")], members);
    }

    [Fact]
    public void MoveNext_InvalidMembersBetweenValidOnes_AreSkippedOnly()
    {
        var members = ReadRaw("a=1,broken,b=%zz,=x,c=,d=%C3%A9,");

        Assert.Equal([("a", "1"), ("d", "%C3%A9")], members);
    }

    [Fact]
    public void MoveNext_AfterTheEnd_StaysFalse()
    {
        var reader = new BaggageReader("a=1");
        Assert.True(reader.MoveNext());

        Assert.False(reader.MoveNext());
        Assert.False(reader.MoveNext());
        Assert.Equal(1, reader.Count);
    }

    [Fact]
    public void MoveNext_DuplicateKeys_AreAllYielded()
    {
        var members = ReadRaw("a=1,a=2");

        Assert.Equal([("a", "1"), ("a", "2")], members);
    }

    [Fact]
    public void MoveNext_ExactlyMaxMembers_YieldsAll()
    {
        var header = string.Join(',', Enumerable.Range(0, Baggage.MaxMembers).Select(i => $"k{i}=v"));

        var members = ReadRaw(header);

        Assert.Equal(180, members.Count);
    }

    [Fact]
    public void MoveNext_OnePastMaxMembers_StopsAtTheLimit()
    {
        var header = string.Join(',', Enumerable.Range(0, Baggage.MaxMembers + 1).Select(i => $"k{i}=v"));

        var members = ReadRaw(header);

        Assert.Equal(180, members.Count);
        Assert.Equal("k179", members[^1].Key);
    }

    [Fact]
    public void MoveNext_InvalidMembers_DoNotCountTowardsTheLimit()
    {
        var header = "junk," + string.Join(',', Enumerable.Range(0, Baggage.MaxMembers).Select(i => $"k{i}=v,=bad"));

        var members = ReadRaw(header);

        Assert.Equal(180, members.Count);
    }

    [Fact]
    public void TryDecodeKeyAndValue_DecodeTheCurrentMember()
    {
        var reader = new BaggageReader("caf%C3%A9=shop%401.2.3");
        Assert.True(reader.MoveNext());
        Span<char> buffer = stackalloc char[32];

        Assert.True(reader.TryDecodeKey(buffer, out var keyLength));
        Assert.Equal("café", buffer[..keyLength].ToString());
        Assert.True(reader.TryDecodeValue(buffer, out var valueLength));
        Assert.Equal("shop@1.2.3", buffer[..valueLength].ToString());
    }

    [Fact]
    public void TryDecodeValue_DestinationTooSmall_ReturnsFalse()
    {
        var reader = new BaggageReader("k=abcdef");
        Assert.True(reader.MoveNext());

        var ok = reader.TryDecodeValue(new char[3], out var written);

        Assert.False(ok);
        Assert.Equal(0, written);
    }

    [Fact]
    public void MoveNext_ValidTenMemberHeader_AllocatesNothing()
    {
        const string header = "sentry-environment=dev,sentry-release=shop%401.2.3,sentry-public_key=abc123,"
            + "sentry-trace_id=dcdb093f8f9441fdadcece0f4620f134,sentry-transaction=GET%20%2Forders,"
            + "sentry-sampled=true,sentry-sample_rand=0.3276234201731898,sentry-sample_rate=1, other = caf%C3%A9 ,k=v;p=1";
        Span<char> buffer = stackalloc char[128];
        var warmUp = ReadAndDecode(header, buffer);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var count = ReadAndDecode(header, buffer);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(10, warmUp);
        Assert.Equal(10, count);
        Assert.Equal(0, allocated);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int ReadAndDecode(ReadOnlySpan<char> header, Span<char> buffer)
    {
        var count = 0;
        var reader = new BaggageReader(header);
        while (reader.MoveNext())
        {
            if (reader.TryDecodeKey(buffer, out var keyLength) && reader.TryDecodeValue(buffer, out var valueLength)
                && keyLength > 0 && valueLength > 0)
            {
                count++;
            }
        }

        return count;
    }
}
