using TraceMiddleware.Configuration;

namespace TraceMiddleware.Tests.Configuration;

public sealed class SpotlightSettingTests
{
    private static string? Resolve(string? option, string? variable)
    {
        Assert.True(SpotlightSetting.TryResolve(option, variable, out var url, out var error, out _), error);
        return url?.ToString();
    }

    [Theory]
    [InlineData(null, null, null)]
    [InlineData("", null, null)]
    [InlineData("false", null, null)]
    [InlineData("true", null, "http://localhost:8969/stream")]
    [InlineData("True", null, "http://localhost:8969/stream")]
    [InlineData(" yes ", null, "http://localhost:8969/stream")]
    [InlineData("http://127.0.0.1:3000/stream", null, "http://127.0.0.1:3000/stream")]
    public void TheOption_IsFalseTrueOrAUrl(string? option, string? variable, string? expected)
    {
        Assert.Equal(expected, Resolve(option, variable));
    }

    [Theory]
    [InlineData(null, "1", "http://localhost:8969/stream")]
    [InlineData(null, "on", "http://localhost:8969/stream")]
    [InlineData(null, "off", null)]
    [InlineData(null, "http://env:3000/stream", "http://env:3000/stream")]
    [InlineData("true", "http://env:3000/stream", "http://env:3000/stream")]
    [InlineData("true", "no", "http://localhost:8969/stream")]
    [InlineData("http://config:3000/stream", "http://env:3000/stream", "http://config:3000/stream")]
    [InlineData("false", "http://env:3000/stream", null)]
    [InlineData("false", "not a url", null)]
    public void TheEnvironmentVariable_FollowsSentrysPrecedence(string? option, string? variable, string? expected)
    {
        // As Sentry's SDK guidelines say: the option wins, but true takes the variable's URL, and false wins over all.
        Assert.Equal(expected, Resolve(option, variable));
    }

    [Theory]
    [InlineData("localhost:8969", null, false)]
    [InlineData("ftp://localhost/stream", null, false)]
    [InlineData("/stream", null, false)]
    [InlineData("http://user:secret@localhost:8969/stream", null, false)]
    [InlineData(null, "maybe", true)]
    [InlineData("true", "maybe", true)]
    public void ANeitherBooleanNorHttpUrlValue_IsAnError_SayingWhichSettingHasIt(string? option, string? variable, bool fromEnvironment)
    {
        Assert.False(SpotlightSetting.TryResolve(option, variable, out var url, out var error, out var fromVariable));

        Assert.Null(url);
        Assert.Equal(fromEnvironment, fromVariable);
        Assert.Contains("is not true, false or an absolute http(s) URL", error, StringComparison.Ordinal);
    }
}
