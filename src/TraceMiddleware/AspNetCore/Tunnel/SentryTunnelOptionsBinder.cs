using System.Globalization;
using Microsoft.Extensions.Configuration;
using TraceMiddleware.Configuration;
using TraceMiddleware.DependencyInjection;
using TraceMiddleware.Export.Sentry;
using static TraceMiddleware.Configuration.ConfigurationKeys;

namespace TraceMiddleware.AspNetCore.Tunnel;

/// <summary>
/// Binds <see cref="SentryTunnelOptions"/> by hand (as <see cref="TracingOptionsBinder"/> does, for the same
/// reasons: trim safety and errors that name the full key) and validates them.
/// </summary>
internal static class SentryTunnelOptionsBinder
{
    public const string SectionName = "Tunnel";

    /// <summary>Every key of the tunnel's section, each with how it is bound (see <see cref="TracingOptionsBinder.Keys"/>).</summary>
    public static IReadOnlyList<ConfigurationKey<SentryTunnelOptions>> Keys { get; } =
    [
        TextList<SentryTunnelOptions>(nameof(SentryTunnelOptions.AllowedDsns), (o, v) => o.AllowedDsns = v),
        Bytes(nameof(SentryTunnelOptions.MaxBodySize), "1048576 for 1 MiB", (o, v) => o.MaxBodySize = v),
        Bytes(nameof(SentryTunnelOptions.MaxBufferedBytes), "16777216 for 16 MiB", (o, v) => o.MaxBufferedBytes = v),
        Duration(nameof(SentryTunnelOptions.Timeout), (o, v) => o.Timeout = v),
        Duration(nameof(SentryTunnelOptions.RequestBodyTimeout), (o, v) => o.RequestBodyTimeout = v),
    ];

    public static void Bind(IConfiguration section, SentryTunnelOptions options)
    {
        foreach (var key in Keys)
        {
            key.Bind(section.GetSection(key.Name), options, options.ConfigurationErrors);
        }
    }

    /// <summary>Every problem with the options, each naming its key under <paramref name="sectionPath"/>.</summary>
    public static List<string> Validate(SentryTunnelOptions options, string sectionPath, out List<SentryDsn> allowed)
    {
        var errors = new List<string>(options.ConfigurationErrors);
        var p = sectionPath + ":";
        allowed = [];

        if (options.AllowedDsns is null)
        {
            errors.Add($"{p}{nameof(SentryTunnelOptions.AllowedDsns)}: the list is null; use an empty list to allow only the configured Dsn.");
        }
        else
        {
            for (var i = 0; i < options.AllowedDsns.Count; i++)
            {
                if (SentryDsn.TryParse(options.AllowedDsns[i], out var dsn, out var error))
                {
                    allowed.Add(dsn!);
                }
                else
                {
                    errors.Add($"{p}{nameof(SentryTunnelOptions.AllowedDsns)}:{i}: {error}");
                }
            }
        }

        if (options.MaxBodySize <= 0 || options.MaxBodySize > SentryTunnelOptions.MaxBodySizeLimit)
        {
            errors.Add($"{p}{nameof(SentryTunnelOptions.MaxBodySize)}: {options.MaxBodySize.ToString(CultureInfo.InvariantCulture)} is outside [1, {SentryTunnelOptions.MaxBodySizeLimit.ToString(CultureInfo.InvariantCulture)}] bytes; the default is 1048576 (1 MiB).");
        }

        // Compared with a valid MaxBodySize only: an invalid one has its own error above.
        var largestBody = options.MaxBodySize is > 0 and <= SentryTunnelOptions.MaxBodySizeLimit ? options.MaxBodySize : 1;
        if (options.MaxBufferedBytes < largestBody)
        {
            errors.Add($"{p}{nameof(SentryTunnelOptions.MaxBufferedBytes)}: {options.MaxBufferedBytes.ToString(CultureInfo.InvariantCulture)} is less than {nameof(SentryTunnelOptions.MaxBodySize)} ({options.MaxBodySize.ToString(CultureInfo.InvariantCulture)}), so an envelope of the largest size could never be taken; the default is 16777216 (16 MiB).");
        }

        ValidateTimeSpan(options.Timeout, nameof(SentryTunnelOptions.Timeout), p, errors);
        ValidateTimeSpan(options.RequestBodyTimeout, nameof(SentryTunnelOptions.RequestBodyTimeout), p, errors);
        return errors;
    }

    private static ConfigurationKey<SentryTunnelOptions> Bytes(string name, string example, Action<SentryTunnelOptions, long> set) =>
        new(name, (section, options, errors) =>
        {
            if (section.Value is not { Length: > 0 } text)
            {
                return;
            }

            if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var bytes))
            {
                set(options, bytes);
            }
            else
            {
                errors.Add($"{section.Path}: '{text}' is not a whole number of bytes; for example {example}.");
            }
        });

    private static ConfigurationKey<SentryTunnelOptions> Duration(string name, Action<SentryTunnelOptions, TimeSpan> set) =>
        new(name, (section, options, errors) =>
        {
            if (section.Value is not { Length: > 0 } text)
            {
                return;
            }

            if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value))
            {
                set(options, value);
            }
            else
            {
                errors.Add($"{section.Path}: '{text}' is not a time span; for example 00:00:10 for ten seconds.");
            }
        });

    private static void ValidateTimeSpan(TimeSpan value, string key, string prefix, List<string> errors)
    {
        if (value <= TimeSpan.Zero || value > SentryTunnelOptions.MaxTimeout)
        {
            errors.Add($"{prefix}{key}: {value.ToString("c", CultureInfo.InvariantCulture)} is outside (0, 00:05:00]; the default is 00:00:10.");
        }
    }
}
