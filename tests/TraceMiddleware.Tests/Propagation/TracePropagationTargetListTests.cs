using System.Text.RegularExpressions;
using TraceMiddleware.Propagation;

namespace TraceMiddleware.Tests.Propagation;

public class TracePropagationTargetListTests
{
    [Theory]
    [InlineData("http://localhost/")]
    [InlineData("http://localhost:5000/orders?x=1")]
    [InlineData("https://LOCALHOST:8443/")]
    [InlineData("ws://localhost/socket")]
    [InlineData("http://127.0.0.1/")]
    [InlineData("http://127.0.0.1:8080/health")]
    [InlineData("http://[::1]/")]
    [InlineData("https://[::1]:5001/x")]
    [InlineData("http://[0:0:0:0:0:0:0:1]:5000/")]
    public void Default_LoopbackHost_Matches(string uri)
    {
        // Act
        var matched = TracePropagationTargetList.Default.IsMatch(new Uri(uri));

        // Assert
        Assert.True(matched);
    }

    [Theory]
    [InlineData("http://localhost.evil.com/")]
    [InlineData("http://evil.com/?localhost")]
    [InlineData("http://evil.com/?next=http://localhost/")]
    [InlineData("http://evil.com/#localhost")]
    [InlineData("http://evil.com/localhost")]
    [InlineData("http://localhost@evil.com/")]
    [InlineData("http://localhost:pw@evil.com/")]
    [InlineData("http://mylocalhost/")]
    [InlineData("http://localhost./")]
    [InlineData("http://127.0.0.2/")]
    [InlineData("http://127.0.0.1.evil.com/")]
    [InlineData("http://[::2]/")]
    [InlineData("https://api.example.com/")]
    public void Default_OtherHost_DoesNotMatch(string uri)
    {
        // Act
        var matched = TracePropagationTargetList.Default.IsMatch(new Uri(uri));

        // Assert
        Assert.False(matched);
    }

    [Fact]
    public void Default_Describe_ListsLoopbackHosts()
    {
        // Act
        var description = TracePropagationTargetList.Default.Describe();

        // Assert
        Assert.Equal("localhost (any port), 127.0.0.1 (any port), [::1] (any port)", description);
        Assert.Equal(description, TracePropagationTargetList.Default.ToString());
    }

    [Fact]
    public void IsMatch_EmptyList_MatchesNothing()
    {
        // Arrange
        var sut = new TracePropagationTargetList([]);

        // Act & Assert
        Assert.False(sut.IsMatch(new Uri("http://localhost/")));
        Assert.False(sut.IsMatch(new Uri("https://api.example.com/")));
        Assert.Empty(sut);
        Assert.Equal("nothing (empty list)", sut.Describe());
    }

    [Fact]
    public void TryMatch_SeveralMatch_ReturnsFirstInListOrder()
    {
        // Arrange
        var substring = new TracePropagationTarget("example.com");
        var regex = new TracePropagationTarget(@"^https://api\.example\.com/");
        var sut = new TracePropagationTargetList([regex, substring]);

        // Act
        var apiMatched = sut.TryMatch(new Uri("https://api.example.com/x"), out var apiTarget);
        var wwwMatched = sut.TryMatch(new Uri("https://www.example.com/x"), out var wwwTarget);
        var otherMatched = sut.TryMatch(new Uri("https://other.org/?example.com"), out var otherTarget);

        // Assert
        Assert.True(apiMatched);
        Assert.Same(regex, apiTarget);
        Assert.True(wwwMatched);
        Assert.Same(substring, wwwTarget);
        Assert.False(otherMatched);
        Assert.Null(otherTarget);
    }

    [Fact]
    public void IsMatch_RelativeUri_NeverMatches()
    {
        // Arrange
        var sut = new TracePropagationTargetList([new TracePropagationTarget("*")]);

        // Act
        var matched = sut.TryMatch(new Uri("/orders", UriKind.Relative), out var target);

        // Assert
        Assert.False(matched);
        Assert.Null(target);
    }

    [Fact]
    public void IsMatch_UrlLongerThanStackBuffer_StillMatches()
    {
        // Arrange
        var sut = new TracePropagationTargetList([new TracePropagationTarget("needle"), TracePropagationTarget.LoopbackHost("localhost")]);
        var path = "/" + new string('p', TargetUrl.StackBufferLength * 3);

        // Act & Assert
        Assert.True(sut.IsMatch(new Uri("https://api.example.com" + path + "/needle")));
        Assert.True(sut.IsMatch(new Uri("http://localhost:5000" + path)));
        Assert.False(sut.IsMatch(new Uri("https://api.example.com" + path + "?needle")));
    }

    [Fact]
    public void Describe_MixedList_JoinsDescriptionsInOrder()
    {
        // Arrange
        var sut = new TracePropagationTargetList(
        [
            TracePropagationTarget.LoopbackHost("localhost"),
            new TracePropagationTarget(@"^https://api\.example\.com"),
            new TracePropagationTarget("payments"),
            new TracePropagationTarget("*"),
        ]);

        // Act
        var description = sut.Describe();

        // Assert
        Assert.Equal(@"localhost (any port), matches ^https://api\.example\.com, contains ""payments"", every URL", description);
    }

    [Fact]
    public void Constructor_SourceChangedAfterwards_ListIsUnchanged()
    {
        // Arrange
        var source = new List<TracePropagationTarget> { new("api.example.com") };
        var sut = new TracePropagationTargetList(source);

        // Act
        source.Add(new TracePropagationTarget("*"));
        source.RemoveAt(0);

        // Assert
        Assert.Single(sut);
        Assert.Equal("contains \"api.example.com\"", sut[0].Description);
        Assert.False(sut.IsMatch(new Uri("https://other.org/")));
    }

    [Fact]
    public void Constructor_Null_Throws()
    {
        // Act & Assert
        Assert.Throws<ArgumentNullException>(() => new TracePropagationTargetList(null!));
    }

    [Fact]
    public void Constructor_NullElement_ThrowsNamingIndex()
    {
        // Act
        var e = Assert.Throws<ArgumentException>(() => new TracePropagationTargetList([new TracePropagationTarget("a"), null!]));

        // Assert
        Assert.Contains("index 1", e.Message);
    }

    [Fact]
    public void IsMatch_NullUri_Throws()
    {
        // Act & Assert
        Assert.Throws<ArgumentNullException>(() => TracePropagationTargetList.Default.IsMatch(null!));
    }

    [Fact]
    public void Enumerate_YieldsTargetsInOrder()
    {
        // Arrange
        TracePropagationTarget[] targets = [new("a"), new("b"), new("c")];
        var sut = new TracePropagationTargetList(targets);

        // Act
        var enumerated = sut.ToList();

        // Assert
        Assert.Equal(targets, enumerated);
        Assert.Equal(3, sut.Count);
    }

    [Fact]
    public void IsMatch_TenEntryMixedListAfterWarmUp_AllocatesNothing()
    {
        // Arrange
        var sut = new TracePropagationTargetList(
        [
            new TracePropagationTarget("orders.internal"),
            new TracePropagationTarget("payments.example.com"),
            new TracePropagationTarget("/api/v2/"),
            new TracePropagationTarget(@"^https://inventory\.example\.com(/|:|$)"),
            new TracePropagationTarget(@"^https://[a-z]+\.shop\.example\.com/"),
            new TracePropagationTarget(@"^https://(?!internal\.)[a-z]+\.example\.net/"),
            new TracePropagationTarget(new Regex(@"^http://billing:\d+/", RegexOptions.IgnoreCase)),
            TracePropagationTarget.LoopbackHost("localhost"),
            TracePropagationTarget.LoopbackHost("127.0.0.1"),
            new TracePropagationTarget("search.example.org"),
        ]);
        Uri[] uris =
        [
            new("https://search.example.org/q?x=1"),
            new("https://unknown.example.io:8443/a/b/c?orders.internal"),
            new("http://localhost:5000/x"),
            new("https://internal.example.net/x"),
            new("https://user:pw@api.example.com/"),
        ];
        for (var round = 0; round < 50; round++)
        {
            for (var i = 0; i < uris.Length; i++)
            {
                sut.IsMatch(uris[i]);
            }
        }

        // Act: the steady state is what counts. The regex engines build some state lazily (the non-backtracking
        // DFA, the interpreter's stacks), so one round may still allocate once; an allocation per call shows
        // up in every round.
        var allocated = long.MaxValue;
        for (var attempt = 0; attempt < 3 && allocated != 0; attempt++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var round = 0; round < 100; round++)
            {
                for (var i = 0; i < uris.Length; i++)
                {
                    sut.IsMatch(uris[i]);
                }
            }

            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        // Assert
        Assert.Equal(0, allocated);
        Assert.True(sut.IsMatch(uris[0]));
        Assert.False(sut.IsMatch(uris[1]));
        Assert.True(sut.IsMatch(uris[2]));
        Assert.False(sut.IsMatch(uris[3]));
        Assert.False(sut.IsMatch(uris[4]));
    }
}
