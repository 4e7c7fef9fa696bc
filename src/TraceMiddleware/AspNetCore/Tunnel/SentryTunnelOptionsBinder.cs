using System.Globalization;
using Microsoft.Extensions.Configuration;
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

        if (section[nameof(SentryTunnelOptions.Timeout)] is { Length: > 0 } timeout)
        {
            if (TimeSpan.TryParse(timeout, CultureInfo.InvariantCulture, out var value))
            {
                options.Timeout = value;
            }
            else
            {
                errors.Add($"{prefix}{nameof(SentryTunnelOptions.Timeout)}: '{timeout}' is not a time span; for example 00:00:10 for ten seconds.");
            }
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

        if (options.Timeout <= TimeSpan.Zero || options.Timeout > SentryTunnelOptions.MaxTimeout)
        {
            errors.Add($"{p}{nameof(SentryTunnelOptions.Timeout)}: {options.Timeout.ToString("c", CultureInfo.InvariantCulture)} is outside (0, 00:05:00]; the default is 00:00:10.");
        }

        return errors;
    }
}
