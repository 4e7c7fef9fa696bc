using TraceMiddleware.Configuration;

namespace TraceMiddleware.Tests.Configuration;

/// <summary>The edit distance behind "did you mean", at its edges, and the threshold that keeps nonsense unanswered.</summary>
public sealed class KeySuggestionTests
{
    [Theory]
    [InlineData("", "", 0)]
    [InlineData("", "Dsn", 3)]
    [InlineData("Dsn", "", 3)]
    [InlineData("Dsn", "Dsn", 0)]
    [InlineData("DSN", "dsn", 0)]
    [InlineData("TRACESSAMPLERATE", "TracesSampleRate", 0)]
    [InlineData("Dns", "Dsn", 1)]
    [InlineData("TracesSampelRate", "TracesSampleRate", 1)]
    [InlineData("TraceSampleRate", "TracesSampleRate", 1)]
    [InlineData("TracesSampleRates", "TracesSampleRate", 1)]
    [InlineData("TracesSampleRite", "TracesSampleRate", 1)]
    [InlineData("ab", "ba", 1)]
    [InlineData("abc", "xyz", 3)]
    [InlineData("a", "bbbb", 4)]
    public void Distance_CountsInsertionsDeletionsSubstitutionsAndSwaps_IgnoringCase(string a, string b, int expected)
    {
        // Act
        var forward = KeySuggestion.Distance(a, b);
        var backward = KeySuggestion.Distance(b, a);

        // Assert
        Assert.Equal(expected, forward);
        Assert.Equal(expected, backward);
    }

    [Fact]
    public void Distance_NeverEditsASwappedPairAgain()
    {
        // Act: true Damerau-Levenshtein says 2 (swap to "AC", insert B); optimal string alignment may not touch the swapped pair again.
        var distance = KeySuggestion.Distance("CA", "ABC");

        // Assert
        Assert.Equal(3, distance);
    }

    [Theory]
    [InlineData("Dsn", 1)]
    [InlineData("OrgId", 1)]
    [InlineData("Release", 2)]
    [InlineData("Timeout", 2)]
    [InlineData("MaxBodySize", 3)]
    [InlineData("TracesSampleRate", 3)]
    [InlineData("PropagateThirdPartyBaggage", 3)]
    public void AllowedDistance_IsAThirdOfTheKey_FromOneToThree(string known, int expected)
    {
        Assert.Equal(expected, KeySuggestion.AllowedDistance(known));
    }

    [Theory]
    [InlineData("TracesSampelRate", "TracesSampleRate")]
    [InlineData("tracessampelrate", "TracesSampleRate")]
    [InlineData("Dns", "Dsn")]
    [InlineData("Enviroment", "Environment")]
    [InlineData("TracePropagationTarget", "TracePropagationTargets")]
    [InlineData("TrcsSmplRate", null)]
    [InlineData("Dxx", null)]
    [InlineData("Foo", null)]
    [InlineData("Bogus", null)]
    [InlineData("NotASetting", null)]
    [InlineData("", null)]
    public void Closest_NamesAKnownKeyOnlyWithinItsAllowedDistance(string unknown, string? expected)
    {
        // Arrange
        string[] known = ["Dsn", "TracesSampleRate", "Environment", "Release", "OrgId", "TracePropagationTargets"];

        // Act
        var closest = KeySuggestion.Closest(unknown, known);

        // Assert
        Assert.Equal(expected, closest);
    }

    [Fact]
    public void Closest_AtTheThresholdOfALongKey_SuggestsAtThreeEdits_NotAtFour()
    {
        // Arrange: TracesSampleRate allows 3 edits.
        string[] known = ["TracesSampleRate"];

        // Act
        var three = KeySuggestion.Closest("TracesSampleRXXX", known);
        var four = KeySuggestion.Closest("TracesSampleXXXX", known);

        // Assert
        Assert.Equal("TracesSampleRate", three);
        Assert.Null(four);
    }

    [Fact]
    public void Closest_OnATie_NamesTheFirstKnownKey()
    {
        // Act: "Timeout" is one edit from both.
        var closest = KeySuggestion.Closest("Timeout", ["Timeouts", "TimeOut2"]);

        // Assert
        Assert.Equal("Timeouts", closest);
    }

    [Fact]
    public void Closest_PrefersTheNearerKey_WhereverItIsInTheList()
    {
        // Act
        var closest = KeySuggestion.Closest("MaxBodySiz", ["MaxBufferedBytes", "MaxBodySize"]);

        // Assert
        Assert.Equal("MaxBodySize", closest);
    }
}
