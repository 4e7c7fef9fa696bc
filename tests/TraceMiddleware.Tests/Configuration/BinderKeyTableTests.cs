using System.Collections;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using TraceMiddleware.AspNetCore.Tunnel;
using TraceMiddleware.Configuration;

namespace TraceMiddleware.Tests.Configuration;

/// <summary>
/// The binders' key tables are the one list of known keys: every option configuration can bind is in it,
/// nothing else is, and each entry binds the option it is named for.
/// </summary>
public sealed class BinderKeyTableTests
{
    public static TheoryData<string> TracingKeys => [.. TracingOptionsBinder.Keys.Select(k => k.Name)];

    public static TheoryData<string> TunnelKeys => [.. SentryTunnelOptionsBinder.Keys.Select(k => k.Name)];

    [Fact]
    public void TracingKeys_AreExactlyTheBindableProperties_OfTracingOptions()
    {
        // Act
        var keys = TracingOptionsBinder.Keys.Select(k => k.Name).ToList();

        // Assert
        Assert.Equal(keys.Count, keys.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Equal(BindableProperties<TracingOptions>().Order(), keys.Order());
    }

    [Fact]
    public void TunnelKeys_AreExactlyTheBindableProperties_OfSentryTunnelOptions()
    {
        // Act
        var keys = SentryTunnelOptionsBinder.Keys.Select(k => k.Name).ToList();

        // Assert
        Assert.Equal(keys.Count, keys.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Equal(BindableProperties<SentryTunnelOptions>().Order(), keys.Order());
    }

    [Theory]
    [MemberData(nameof(TracingKeys))]
    public void EachTracingKey_BindsThePropertyOfItsName(string key)
    {
        // Arrange
        var property = typeof(TracingOptions).GetProperty(key)!;
        var options = new TracingOptions();

        // Act
        TracingOptionsBinder.Bind(Section(key, property, Default(property, new TracingOptions())), options);

        // Assert
        Assert.Empty(options.ConfigurationErrors);
        Assert.NotEqual(Text(Default(property, new TracingOptions())), Text(property.GetValue(options)));
    }

    [Theory]
    [MemberData(nameof(TunnelKeys))]
    public void EachTunnelKey_BindsThePropertyOfItsName(string key)
    {
        // Arrange
        var property = typeof(SentryTunnelOptions).GetProperty(key)!;
        var options = new SentryTunnelOptions();

        // Act
        SentryTunnelOptionsBinder.Bind(Section(key, property, Default(property, new SentryTunnelOptions())), options);

        // Assert
        Assert.Empty(options.ConfigurationErrors);
        Assert.NotEqual(Text(Default(property, new SentryTunnelOptions())), Text(property.GetValue(options)));
    }

    /// <summary>Public properties with a public setter whose type configuration can express: delegates are code only.</summary>
    private static IEnumerable<string> BindableProperties<T>() =>
        typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is { IsPublic: true } && !typeof(Delegate).IsAssignableFrom(p.PropertyType))
            .Select(p => p.Name);

    private static object? Default(PropertyInfo property, object fresh) => property.GetValue(fresh);

    /// <summary>A section holding a value of the property's type that differs from its default.</summary>
    private static IConfigurationSection Section(string key, PropertyInfo property, object? defaultValue)
    {
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        var settings = new Dictionary<string, string?>();
        if (type == typeof(string))
        {
            settings[key] = "https://key@o1.ingest.sentry.io/7";
        }
        else if (type == typeof(bool))
        {
            settings[key] = defaultValue is true ? "false" : "true";
        }
        else if (type == typeof(int) || type == typeof(long) || type == typeof(double))
        {
            settings[key] = "1";
        }
        else if (type == typeof(TimeSpan))
        {
            settings[key] = "00:00:07";
        }
        else if (typeof(IEnumerable).IsAssignableFrom(type))
        {
            settings[key + ":0"] = "^https://a\\.example(/|$)";
            settings[key + ":1"] = "https://key@o1.ingest.sentry.io/8";
        }
        else
        {
            throw new InvalidOperationException($"{key}: no sample value for {type}; add one here.");
        }

        return new ConfigurationBuilder()
            .AddInMemoryCollection(settings.ToDictionary(s => "Section:" + s.Key, s => s.Value))
            .Build()
            .GetSection("Section");
    }

    private static string Text(object? value) => value switch
    {
        null => "(null)",
        string s => s,
        IEnumerable items => string.Join("|", items.Cast<object?>().Select(Text)),
        _ => value.ToString() ?? string.Empty,
    };
}
