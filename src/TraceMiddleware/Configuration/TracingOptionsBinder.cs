using System.Globalization;
using Microsoft.Extensions.Configuration;
using TraceMiddleware.Propagation;
using static TraceMiddleware.Configuration.ConfigurationKeys;

namespace TraceMiddleware.Configuration;

/// <summary>
/// Binds <see cref="TracingOptions"/> from configuration by hand: reflection binding is not trim-safe,
/// and reading each key ourselves lets a bad value be reported with its full key and the reason.
/// </summary>
/// <remarks>
/// <see cref="Keys"/> is the one list of the section's keys: binding reads it, and the start-up check for
/// unknown keys knows exactly these. A new option is one line there.
/// </remarks>
internal static class TracingOptionsBinder
{
    /// <summary>Every key of the tracing section, each with how it is bound, in the order errors are reported.</summary>
    public static IReadOnlyList<ConfigurationKey<TracingOptions>> Keys { get; } =
    [
        Text<TracingOptions>(nameof(TracingOptions.Dsn), (o, v) => o.Dsn = v),
        Text<TracingOptions>(nameof(TracingOptions.Release), (o, v) => o.Release = v),
        Text<TracingOptions>(nameof(TracingOptions.Environment), (o, v) => o.Environment = v),
        Text<TracingOptions>(nameof(TracingOptions.OrgId), (o, v) => o.OrgId = v),
        Text<TracingOptions>(nameof(TracingOptions.ServiceName), (o, v) => o.ServiceName = v),
        Text<TracingOptions>(nameof(TracingOptions.Spotlight), (o, v) => o.Spotlight = v),
        new(nameof(TracingOptions.TracesSampleRate), BindSampleRate),
        Flag<TracingOptions>(nameof(TracingOptions.PropagateTraceparent), (o, v) => o.PropagateTraceparent = v),
        Flag<TracingOptions>(nameof(TracingOptions.ContinueFromTraceparent), (o, v) => o.ContinueFromTraceparent = v),
        Flag<TracingOptions>(nameof(TracingOptions.StrictTraceContinuation), (o, v) => o.StrictTraceContinuation = v),
        Flag<TracingOptions>(nameof(TracingOptions.PropagateThirdPartyBaggage), (o, v) => o.PropagateThirdPartyBaggage = v),
        Flag<TracingOptions>(nameof(TracingOptions.InstrumentAllHttpClients), (o, v) => o.InstrumentAllHttpClients = v),
        Flag<TracingOptions>(nameof(TracingOptions.AddMiddlewareAutomatically), (o, v) => o.AddMiddlewareAutomatically = v),
        Flag<TracingOptions>(nameof(TracingOptions.ServerTimingHeader), (o, v) => o.ServerTimingHeader = v),
        new(nameof(TracingOptions.ConsoleExporter), BindConsoleExporter),
        WholeNumber<TracingOptions>(nameof(TracingOptions.ExportQueueCapacity), (o, v) => o.ExportQueueCapacity = v),
        WholeNumber<TracingOptions>(nameof(TracingOptions.ExportBatchSize), (o, v) => o.ExportBatchSize = v),
        new(nameof(TracingOptions.ShutdownTimeout), BindShutdownTimeout),
        new(nameof(TracingOptions.TracePropagationTargets), (section, o, errors) => o.TracePropagationTargets = BindPatterns(section, errors) ?? o.TracePropagationTargets),
        TextList<TracingOptions>(nameof(TracingOptions.UnsampledHttpMethods), (o, v) => o.UnsampledHttpMethods = v),
        Flag<TracingOptions>(nameof(TracingOptions.SendDefaultPii), (o, v) => o.SendDefaultPii = v),
        TextMap<TracingOptions>(nameof(TracingOptions.DefaultTags), (o, v) => o.DefaultTags = v),
        new(nameof(TracingOptions.IgnoreTransactions), (section, o, errors) => o.IgnoreTransactions = BindPatterns(section, errors) ?? o.IgnoreTransactions),
        TextList<TracingOptions>(nameof(TracingOptions.IgnoreStatusCodes), (o, v) => o.IgnoreStatusCodes = v),
        Flag<TracingOptions>(nameof(TracingOptions.IgnoreStaticFiles), (o, v) => o.IgnoreStaticFiles = v),
    ];

    public static void Bind(IConfiguration section, TracingOptions options)
    {
        foreach (var key in Keys)
        {
            key.Bind(section.GetSection(key.Name), options, options.ConfigurationErrors);
        }
    }

    private static void BindSampleRate(IConfigurationSection section, TracingOptions options, List<string> errors)
    {
        if (section.Value is not { } rate)
        {
            return;
        }

        if (rate.Length == 0)
        {
            options.TracesSampleRate = null;
        }
        else if (double.TryParse(rate, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            options.TracesSampleRate = value;
        }
        else
        {
            errors.Add($"{section.Path}: '{rate}' is not a number; use a rate from 0 to 1 such as 0.2.");
        }
    }

    private static void BindConsoleExporter(IConfigurationSection section, TracingOptions options, List<string> errors)
    {
        if (section.Value is not { } console)
        {
            return;
        }

        if (console.Length == 0)
        {
            options.ConsoleExporter = null;
        }
        else if (bool.TryParse(console, out var value))
        {
            options.ConsoleExporter = value;
        }
        else
        {
            errors.Add($"{section.Path}: '{console}' is not true or false; leave it empty for the default (Development without a DSN only).");
        }
    }

    private static void BindShutdownTimeout(IConfigurationSection section, TracingOptions options, List<string> errors)
    {
        if (section.Value is not { Length: > 0 } timeout)
        {
            return;
        }

        if (IsWholeNumber(timeout))
        {
            // TimeSpan.Parse reads "3" as three days: a bare number is almost certainly meant as seconds.
            var example = int.TryParse(timeout, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) && seconds <= TracingOptions.MaxShutdownTimeoutSeconds
                ? $"{TimeSpan.FromSeconds(seconds):c} for {seconds} seconds"
                : "00:00:03 for three seconds";
            errors.Add($"{section.Path}: '{timeout}' has no unit; write a time span such as {example}.");
        }
        else if (TimeSpan.TryParse(timeout, CultureInfo.InvariantCulture, out var value))
        {
            options.ShutdownTimeout = value;
        }
        else
        {
            errors.Add($"{section.Path}: '{timeout}' is not a time span; write hh:mm:ss such as 00:00:03.");
        }
    }

    /// <summary>A list of targets or patterns, each a string as TracePropagationTarget reads it; <see langword="null"/> when the key is absent.</summary>
    private static List<TracePropagationTarget>? BindPatterns(IConfigurationSection section, List<string> errors)
    {
        if (!section.Exists())
        {
            return null;
        }

        var list = new List<TracePropagationTarget>();
        foreach (var child in section.GetChildren())
        {
            if (child.Value is null)
            {
                continue;
            }

            if (TracePropagationTarget.TryCreate(child.Value, out var target, out var error))
            {
                list.Add(target!);
            }
            else
            {
                errors.Add($"{child.Path}: {error}");
            }
        }

        return list;
    }

    private static bool IsWholeNumber(string value)
    {
        var text = value.AsSpan().Trim();
        if (text.Length == 0)
        {
            return false;
        }

        for (var i = 0; i < text.Length; i++)
        {
            if (!char.IsAsciiDigit(text[i]))
            {
                return false;
            }
        }

        return true;
    }
}
