using Microsoft.Extensions.Configuration;
using TraceMiddleware.Configuration;

namespace TraceMiddleware.Tests.Configuration;

/// <summary>The shapes a binder's table is written with: what each reads, leaves alone, and reports.</summary>
public sealed class ConfigurationKeysTests
{
    private sealed class Sample
    {
        public string? Text { get; set; } = "before";

        public bool Flag { get; set; }

        public List<string>? List { get; set; }

        public Dictionary<string, string>? Map { get; set; }
    }

    private static (Sample Options, List<string> Errors) Bind(ConfigurationKey<Sample> key, params (string Key, string? Value)[] settings)
    {
        var section = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>("Tracing:" + s.Key, s.Value)))
            .Build()
            .GetSection("Tracing");
        var options = new Sample();
        var errors = new List<string>();
        key.Bind(section.GetSection(key.Name), options, errors);
        return (options, errors);
    }

    [Fact]
    public void Text_EmptyClears_AbsentLeavesAlone()
    {
        var key = ConfigurationKeys.Text<Sample>("Text", (o, v) => o.Text = v);

        Assert.Null(Bind(key, ("Text", "")).Options.Text);
        Assert.Equal("before", Bind(key).Options.Text);
        Assert.Equal("after", Bind(key, ("text", "after")).Options.Text);
    }

    [Fact]
    public void Flag_ABadValue_IsAnErrorNamingTheFullKey()
    {
        var (options, errors) = Bind(ConfigurationKeys.Flag<Sample>("Flag", (o, v) => o.Flag = v), ("Flag", "yes"));

        Assert.False(options.Flag);
        Assert.Equal("Tracing:Flag: 'yes' is not true or false.", Assert.Single(errors));
    }

    [Fact]
    public void TextList_TrimsAndDropsBlankEntries()
    {
        var (options, _) = Bind(ConfigurationKeys.TextList<Sample>("List", (o, v) => o.List = v), ("List:0", " a "), ("List:1", " "), ("List:2", "b"));

        Assert.Equal(["a", "b"], options.List);
    }

    [Fact]
    public void TextMap_ReadsNamedEntries_DropsBlankOnes_AndLooksUpWithoutCase()
    {
        var (options, _) = Bind(ConfigurationKeys.TextMap<Sample>("Map", (o, v) => o.Map = v), ("Map:team", " checkout "), ("Map:empty", ""));

        Assert.Equal("checkout", Assert.Single(options.Map!).Value);
        Assert.Equal("checkout", options.Map!["TEAM"]);
    }
}
