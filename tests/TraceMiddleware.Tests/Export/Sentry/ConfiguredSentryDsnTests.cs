using TraceMiddleware.Configuration;
using TraceMiddleware.Export.Sentry;

namespace TraceMiddleware.Tests.Export.Sentry;

/// <summary>The host's DSN is parsed once and the same value is handed to every reader.</summary>
public class ConfiguredSentryDsnTests
{
    [Fact]
    public void Value_ReadTwice_IsTheSameParse()
    {
        var configured = new ConfiguredSentryDsn(() => "https://key@o12.ingest.example/42");

        var first = configured.Value;
        var second = configured.Value;

        Assert.NotNull(first);
        Assert.Same(first, second);
        Assert.Equal("12", first.OrgId);
    }

    [Fact]
    public void Resolve_ByValidationThenValue_SharesTheParse()
    {
        const string text = "https://key@ingest.example/42";
        var configured = new ConfiguredSentryDsn(() => text);

        var validated = configured.Resolve(text, out var error);

        Assert.Null(error);
        Assert.Same(validated, configured.Value);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Resolve_NoText_IsNoDsnAndNoError(string? text)
    {
        var dsn = new ConfiguredSentryDsn(() => text).Resolve(text, out var error);

        Assert.Null(dsn);
        Assert.Null(error);
    }

    [Fact]
    public void Resolve_BadText_IsNoDsnWithTheReason()
    {
        var dsn = new ConfiguredSentryDsn(() => null).Resolve("not a dsn", out var error);

        Assert.Null(dsn);
        Assert.Contains("not an absolute URL", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Value_TextChanges_IsParsedAgain()
    {
        var text = "https://key@ingest.example/1";
        var configured = new ConfiguredSentryDsn(() => text);
        var before = configured.Value;

        text = "https://key@ingest.example/2";

        Assert.Equal("1", before!.ProjectId);
        Assert.Equal("2", configured.Value!.ProjectId);
    }
}
