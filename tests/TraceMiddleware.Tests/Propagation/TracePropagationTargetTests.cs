using System.Text.RegularExpressions;
using TraceMiddleware.Propagation;

namespace TraceMiddleware.Tests.Propagation;

public class TracePropagationTargetTests
{
    private static readonly string Catastrophic = new string('a', 40) + "!";

    [Theory]
    [InlineData("api.example.com", "https://api.example.com/orders")]
    [InlineData("API.Example.COM", "https://api.example.com/orders")]
    [InlineData("api.example.com", "HTTPS://API.EXAMPLE.COM/orders")]
    [InlineData("/V1/Orders", "https://api.example.com/v1/orders/42")]
    [InlineData("example.com:8443", "https://api.example.com:8443/")]
    [InlineData("https://api", "https://api.example.com/")]
    [InlineData("  api.example.com  ", "https://api.example.com/")]
    [InlineData("[::1]", "http://[::1]:5000/")]
    [InlineData("a%20b", "https://api.example.com/a b")]
    public void IsMatch_SubstringTarget_MatchesCaseInsensitively(string target, string uri)
    {
        // Arrange
        var sut = new TracePropagationTarget(target);

        // Act
        var matched = sut.IsMatch(new Uri(uri));

        // Assert
        Assert.True(matched);
    }

    [Theory]
    [InlineData("api.example.com", "https://api.example.org/")]
    [InlineData("example.com:443", "https://example.com:443/")]
    [InlineData("example.com:80", "http://example.com/")]
    [InlineData("orders?id", "https://api.example.com/orders?id=1")]
    [InlineData("user", "https://user:pw@api.example.com/")]
    public void IsMatch_SubstringTarget_DoesNotMatchOtherText(string target, string uri)
    {
        // Arrange
        var sut = new TracePropagationTarget(target);

        // Act
        var matched = sut.IsMatch(new Uri(uri));

        // Assert
        Assert.False(matched);
    }

    public static TheoryData<string, string> SmuggledUrls()
    {
        var data = new TheoryData<string, string>();
        string[] targets = ["api.example.com", @"^https://api\.example\.com", @"^https://api\.example\.com(/|:|$)"];
        string[] urls =
        [
            "https://other/?next=api.example.com",
            "https://other/?next=https://api.example.com/",
            "https://other/#api.example.com",
            "https://other/#https://api.example.com",
            "https://api.example.com@evil.com/",
            "https://user:api.example.com@evil.com/",
            "https://api.example.com:pw@evil.com/x",
            "https://evil.com/?https://api.example.com",
        ];
        foreach (var target in targets)
        {
            foreach (var url in urls)
            {
                data.Add(target, url);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SmuggledUrls))]
    public void IsMatch_TargetOnlyInQueryFragmentOrUserinfo_DoesNotMatch(string target, string uri)
    {
        // Arrange
        var sut = new TracePropagationTarget(target);

        // Act
        var matched = sut.IsMatch(new Uri(uri));

        // Assert
        Assert.False(matched);
    }

    [Theory]
    [InlineData(@"^https://api\.example\.com", "https://api.example.com/x", true)]
    [InlineData(@"^https://api\.example\.com", "https://api.example.com", true)]
    [InlineData(@"^https://api\.example\.com", "https://api.example.com:443/x", true)]
    [InlineData(@"^https://api\.example\.com", "http://api.example.com/x", false)]
    [InlineData(@"^https://api\.example\.com", "https://xapi.example.com/x", false)]
    [InlineData(@"^https://api\.example\.com/", "https://api.example.com:443/x", true)]
    [InlineData(@"^https://api\.example\.com/", "https://api.example.com:8443/x", false)]
    [InlineData(@"^https://api\.example\.com:8443/", "https://api.example.com:8443/x", true)]
    [InlineData(@"^https://API\.example\.com", "https://api.example.com/x", false)]
    [InlineData(@"^(?i)https://API\.EXAMPLE\.COM/", "https://api.example.com/x", true)]
    [InlineData(@"^https://[a-z]+\.example\.com/v1/", "https://orders.example.com/v1/items", true)]
    [InlineData(@"^https://[a-z]+\.example\.com/v1/", "https://orders.example.com/v2/items", false)]
    [InlineData(@"^https://api\.example\.com/x$", "https://api.example.com/x?y=1#z", true)]
    [InlineData(@"^http://\[::1\]:5000/", "http://[::1]:5000/x", true)]
    public void IsMatch_RegexTarget_TestsUrlText(string target, string uri, bool expected)
    {
        // Arrange
        var sut = new TracePropagationTarget(target);

        // Act
        var matched = sut.IsMatch(new Uri(uri));

        // Assert
        Assert.Equal(expected, matched);
    }

    [Fact]
    public void IsMatch_RegexWithoutHostEnd_AlsoMatchesLongerHost()
    {
        // Arrange: the README tells users to end the host with (/|:|$); this pins why.
        var open = new TracePropagationTarget(@"^https://api\.example\.com");
        var anchored = new TracePropagationTarget(@"^https://api\.example\.com(/|:|$)");
        var evil = new Uri("https://api.example.com.evil.com/");

        // Act
        var openMatched = open.IsMatch(evil);
        var anchoredMatched = anchored.IsMatch(evil);

        // Assert
        Assert.True(openMatched);
        Assert.False(anchoredMatched);
        Assert.True(anchored.IsMatch(new Uri("https://api.example.com/x")));
        Assert.True(anchored.IsMatch(new Uri("https://api.example.com:8443/x")));
        Assert.True(anchored.IsMatch(new Uri("https://api.example.com")));
    }

    [Theory]
    [InlineData("*")]
    [InlineData(".*")]
    [InlineData(" * ")]
    public void IsMatch_EveryTarget_MatchesAnyAbsoluteUri(string target)
    {
        // Arrange
        var sut = new TracePropagationTarget(target);

        // Act & Assert
        Assert.True(sut.IsMatch(new Uri("https://anything.example/x?y")));
        Assert.True(sut.IsMatch(new Uri("http://[::1]:1/")));
        Assert.True(sut.IsMatch(new Uri("ftp://files/")));
        Assert.Equal("every URL", sut.Description);
    }

    [Theory]
    [InlineData("*")]
    [InlineData("localhost")]
    [InlineData("^/")]
    [InlineData("^.*")]
    public void IsMatch_RelativeUri_NeverMatches(string target)
    {
        // Arrange
        var sut = new TracePropagationTarget(target);

        // Act
        var matched = sut.IsMatch(new Uri("/localhost/orders", UriKind.Relative));

        // Assert
        Assert.False(matched);
    }

    [Fact]
    public void IsMatch_UrlLongerThanStackBuffer_StillMatches()
    {
        // Arrange
        var path = "/" + new string('p', TargetUrl.StackBufferLength * 2) + "/needle";
        var sut = new TracePropagationTarget("needle");
        var regex = new TracePropagationTarget("^https://api\\.example\\.com/p+/needle$");
        var uri = new Uri("https://api.example.com" + path + "?q=other");

        // Act & Assert
        Assert.True(sut.IsMatch(uri));
        Assert.True(regex.IsMatch(uri));
        Assert.False(new TracePropagationTarget("other").IsMatch(uri));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("\t\r\n")]
    public void Constructor_EmptyOrWhitespace_ThrowsWithClearMessage(string target)
    {
        // Act
        var e = Assert.Throws<ArgumentException>(() => new TracePropagationTarget(target));

        // Assert
        Assert.Equal("target", e.ParamName);
        Assert.Contains("must not be empty", e.Message);
    }

    [Fact]
    public void Constructor_NullString_ThrowsArgumentNull()
    {
        // Act & Assert
        Assert.Throws<ArgumentNullException>(() => new TracePropagationTarget((string)null!));
        Assert.Throws<ArgumentNullException>(() => new TracePropagationTarget((Regex)null!));
    }

    [Theory]
    [InlineData("^https://(", "Not enough )'s at offset 10.")]
    [InlineData("^[a-", "Unterminated [] set at offset 4.")]
    [InlineData("^a{2,1}", "Illegal {x,y} with x > y at offset 7.")]
    [InlineData("^a**", "Nested quantifier '*' at offset 4.")]
    [InlineData(@"^abc\", "Illegal \\ at end of pattern at offset 5.")]
    public void Constructor_InvalidRegex_NamesPatternAndReason(string target, string reason)
    {
        // Act
        var e = Assert.Throws<ArgumentException>(() => new TracePropagationTarget(target));

        // Assert
        Assert.StartsWith($"'{target}' is not a valid regular expression: {reason}", e.Message);
    }

    [Fact]
    public void TryCreate_InvalidRegex_ReturnsErrorInsteadOfThrowing()
    {
        // Act
        var ok = TracePropagationTarget.TryCreate("^https://(", out var result, out var error);

        // Assert
        Assert.False(ok);
        Assert.Null(result);
        Assert.Equal("'^https://(' is not a valid regular expression: Not enough )'s at offset 10.", error);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void TryCreate_NullOrEmpty_ReturnsError(string? target)
    {
        // Act
        var ok = TracePropagationTarget.TryCreate(target, out var result, out var error);

        // Assert
        Assert.False(ok);
        Assert.Null(result);
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Theory]
    [InlineData("api.example.com", "contains \"api.example.com\"")]
    [InlineData(" api.example.com ", "contains \"api.example.com\"")]
    [InlineData(@"^https://api\.example\.com", @"matches ^https://api\.example\.com")]
    [InlineData("*", "every URL")]
    [InlineData(".*", "every URL")]
    public void TryCreate_ValidTarget_BehavesLikeConstructor(string target, string description)
    {
        // Act
        var ok = TracePropagationTarget.TryCreate(target, out var result, out var error);

        // Assert
        Assert.True(ok);
        Assert.Null(error);
        Assert.Equal(description, result!.Description);
        Assert.Equal(description, new TracePropagationTarget(target).Description);
        Assert.Equal(description, result.ToString());
    }

    [Fact]
    public void LoopbackHost_Description_SaysAnyPort()
    {
        // Act
        var sut = TracePropagationTarget.LoopbackHost("localhost");

        // Assert
        Assert.Equal("localhost (any port)", sut.Description);
    }

    [Fact]
    public void Constructor_StringPattern_UsesNonBacktrackingEngine()
    {
        // Act
        var sut = new TracePropagationTarget(@"^https://api\.example\.com");

        // Assert
        Assert.True(sut.Regex!.Options.HasFlag(RegexOptions.NonBacktracking));
        Assert.True(sut.Regex.Options.HasFlag(RegexOptions.CultureInvariant));
    }

    [Fact]
    public void IsMatch_CatastrophicPattern_ReturnsFalse()
    {
        // Arrange
        var sut = new TracePropagationTarget("^(a+)+$");

        // Act
        var matched = sut.IsMatch(Catastrophic);

        // Assert
        Assert.False(matched);
        Assert.True(sut.IsMatch(new string('a', 40)));
    }

    [Fact]
    public void Constructor_LookaheadPattern_FallsBackToBacktrackingWithTimeout()
    {
        // Arrange
        var sut = new TracePropagationTarget(@"^https://(?!internal\.)[a-z]+\.example\.com/");

        // Act
        var api = sut.IsMatch(new Uri("https://api.example.com/x"));
        var internalHost = sut.IsMatch(new Uri("https://internal.example.com/x"));

        // Assert
        Assert.False(sut.Regex!.Options.HasFlag(RegexOptions.NonBacktracking));
        Assert.Equal(TimeSpan.FromMilliseconds(TracePropagationTarget.RegexMatchTimeoutMilliseconds), sut.Regex.MatchTimeout);
        Assert.True(api);
        Assert.False(internalHost);
    }

    [Theory]
    [InlineData(@"^(a)\1")]
    [InlineData(@"^(?<=x)a")]
    [InlineData(@"^(?>a+)b")]
    public void Constructor_BacktrackingOnlyConstruct_GetsTimeout(string target)
    {
        // Act
        var sut = new TracePropagationTarget(target);

        // Assert
        Assert.Equal(TracePropagationTarget.RegexMatchTimeout, sut.Regex!.MatchTimeout);
    }

    [Fact]
    public void IsMatch_PatternThatTimesOut_CountsAsNoMatchEvenWhenItWouldMatch()
    {
        // Arrange: the second branch matches, but the backtracking engine times out in the first one.
        // The lookahead forces the backtracking engine.
        var sut = new TracePropagationTarget("^(?:(a+)+!x(?=y)|a)");

        // Act
        var matched = sut.IsMatch(Catastrophic);

        // Assert
        Assert.False(matched);
        Assert.True(sut.IsMatch("ab"));
    }

    [Fact]
    public void IsMatch_CodeRegexWithOwnTimeoutThatTimesOut_CountsAsNoMatch()
    {
        // Arrange
        var regex = new Regex("^(?:(a+)+!x|a)", RegexOptions.None, TimeSpan.FromMilliseconds(1));
        var sut = new TracePropagationTarget(regex);

        // Act
        var matched = sut.IsMatch(Catastrophic);

        // Assert
        Assert.Same(regex, sut.Regex);
        Assert.False(matched);
        Assert.Matches(new Regex("^(?:(a+)+!x|a)", RegexOptions.NonBacktracking), Catastrophic);
    }

    [Fact]
    public void Constructor_CodeRegexWithoutTimeout_IsRebuiltNonBacktrackingWithSameOptions()
    {
        // Arrange
        var regex = new Regex(@"^https://API\.example\.com/", RegexOptions.IgnoreCase);

        // Act
        var sut = new TracePropagationTarget(regex);

        // Assert
        Assert.NotSame(regex, sut.Regex);
        Assert.Equal(RegexOptions.IgnoreCase | RegexOptions.NonBacktracking, sut.Regex!.Options);
        Assert.True(sut.IsMatch(new Uri("https://api.example.com/x")));
        Assert.False(sut.IsMatch(new Uri("https://other.example.com/?u=https://api.example.com/")));
        Assert.Equal(@"matches ^https://API\.example\.com/", sut.Description);
    }

    [Theory]
    [InlineData(@"^https://(?=api)[a-z.]+/", RegexOptions.None)]
    [InlineData(@"^https://api\.example\.com/", RegexOptions.RightToLeft)]
    [InlineData(@"^https://api\.example\.com/", RegexOptions.ECMAScript)]
    public void Constructor_CodeRegexNeedingBacktracking_GetsTimeout(string pattern, RegexOptions options)
    {
        // Arrange
        var regex = new Regex(pattern, options);

        // Act
        var sut = new TracePropagationTarget(regex);

        // Assert
        Assert.Equal(TracePropagationTarget.RegexMatchTimeout, sut.Regex!.MatchTimeout);
        Assert.Equal(options, sut.Regex.Options);
        Assert.True(sut.IsMatch(new Uri("https://api.example.com/x")));
    }

    [Fact]
    public void Constructor_CodeRegexAlreadySafe_IsKept()
    {
        // Arrange
        var nonBacktracking = new Regex("^https://", RegexOptions.NonBacktracking);
        var withTimeout = new Regex("^https://", RegexOptions.None, TimeSpan.FromSeconds(1));

        // Act & Assert
        Assert.Same(nonBacktracking, new TracePropagationTarget(nonBacktracking).Regex);
        Assert.Same(withTimeout, new TracePropagationTarget(withTimeout).Regex);
    }

    [Theory]
    [InlineData("https://api.example.com/orders", true)]
    [InlineData("https://api.example.com", true)]
    [InlineData("http://localhost:5000/x", false)]
    public void IsMatch_UrlText_TestsTextDirectly(string text, bool expected)
    {
        // Arrange
        var sut = new TracePropagationTarget("api.example.com");

        // Act
        var matched = sut.IsMatch(text.AsSpan());

        // Assert
        Assert.Equal(expected, matched);
    }

    [Theory]
    [InlineData("http://localhost/", true)]
    [InlineData("http://LOCALHOST:5000/x", true)]
    [InlineData("ws://localhost:1/", true)]
    [InlineData("http://localhost.evil.com/", false)]
    [InlineData("http://evil.com/?localhost", false)]
    [InlineData("http://evil.com/localhost", false)]
    [InlineData("http://localhost@evil.com/", false)]
    [InlineData("http://mylocalhost/", false)]
    public void IsMatch_LoopbackHost_ComparesHostExactly(string uri, bool expected)
    {
        // Arrange
        var sut = TracePropagationTarget.LoopbackHost("localhost");

        // Act
        var matched = sut.IsMatch(new Uri(uri));

        // Assert
        Assert.Equal(expected, matched);
    }

    [Fact]
    public void IsMatch_NullUri_Throws()
    {
        // Arrange
        var sut = new TracePropagationTarget("*");

        // Act & Assert
        Assert.Throws<ArgumentNullException>(() => sut.IsMatch((Uri)null!));
    }

    [Theory]
    [InlineData("api.example.com")]
    [InlineData(@"^https://api\.example\.com(/|:|$)")]
    [InlineData(@"^https://(?!internal)[a-z.]+/")]
    public void IsMatch_AfterWarmUp_AllocatesNothing(string target)
    {
        // Arrange
        var sut = new TracePropagationTarget(target);
        var hit = new Uri("https://api.example.com/orders/42?x=1");
        var miss = new Uri("https://other.example.org:8443/orders/42");
        for (var i = 0; i < 50; i++)
        {
            sut.IsMatch(hit);
            sut.IsMatch(miss);
        }

        // Act
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            sut.IsMatch(hit);
            sut.IsMatch(miss);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Assert
        Assert.Equal(0, allocated);
    }
}
