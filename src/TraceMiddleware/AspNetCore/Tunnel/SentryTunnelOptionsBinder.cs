using System.Globalization;
using Microsoft.Extensions.Configuration;
using TraceMiddleware.Configuration;
using TraceMiddleware.DependencyInjection;
using TraceMiddleware.Export.Sentry;

namespace TraceMiddleware.AspNetCore.Tunnel;

/// <summary>
/// Binds <see cref="SentryTunnelOptions"/> by hand (as <see cref="TracingOptionsBinder"/> does, for the same
/// reasons: trim safety and errors that name the full key) and validates them.
/// </summary>
internal static class SentryTunnelOptionsBinder
{
    public const string SectionName = "Tunnel";

    public static void Bind(IConfiguration section, SentryTunnelOptions options)
    {
        var prefix = section is IConfigurationSection s ? s.Path + ":" : string.Empty;
        var errors = options.ConfigurationErrors;

        var dsns = section.GetSection(nameof(SentryTunnelOptions.AllowedDsns));
        if (dsns.Exists())
        {
            var list = new List<string>();
            foreach (var child in dsns.GetChildren())
            {
                if (!string.IsNullOrWhiteSpace(child.Value))
                {
                    list.Add(child.Value.Trim());
                }
            }

            options.AllowedDsns = list;
        }

        if (section[nameof(SentryTunnelOptions.MaxBodySize)] is { Length: > 0 } size)
        {
            if (long.TryParse(size, NumberStyles.Integer, CultureInfo.InvariantCulture, out var bytes))
            {
                options.MaxBodySize = bytes;
            }
            else
            {
                errors.Add($"{prefix}{nameof(SentryTunnelOptions.MaxBodySize)}: '{size}' is not a whole number of bytes; for example 1048576 for 1 MiB.");
            }
        }

        if (section[nameof(SentryTunnelOptions.MaxBufferedBytes)] is { Length: > 0 } buffered)
        {
            if (long.TryParse(buffered, NumberStyles.Integer, CultureInfo.InvariantCulture, out var bytes))
            {
                options.MaxBufferedBytes = bytes;
            }
            else
            {
                errors.Add($"{prefix}{nameof(SentryTunnelOptions.MaxBufferedBytes)}: '{buffered}' is not a whole number of bytes; for example 16777216 for 16 MiB.");
            }
        }

        if (TryBindTimeSpan(section, nameof(SentryTunnelOptions.Timeout), prefix, errors) is { } timeout)
        {
            options.Timeout = timeout;
        }

        if (TryBindTimeSpan(section, nameof(SentryTunnelOptions.RequestBodyTimeout), prefix, errors) is { } bodyTimeout)
        {
            options.RequestBodyTimeout = bodyTimeout;
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

    private static TimeSpan? TryBindTimeSpan(IConfiguration section, string key, string prefix, List<string> errors)
    {
        if (section[key] is not { Length: > 0 } text)
        {
            return null;
        }

        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        errors.Add($"{prefix}{key}: '{text}' is not a time span; for example 00:00:10 for ten seconds.");
        return null;
    }

    private static void ValidateTimeSpan(TimeSpan value, string key, string prefix, List<string> errors)
    {
        if (value <= TimeSpan.Zero || value > SentryTunnelOptions.MaxTimeout)
        {
            errors.Add($"{prefix}{key}: {value.ToString("c", CultureInfo.InvariantCulture)} is outside (0, 00:05:00]; the default is 00:00:10.");
        }
    }
}
