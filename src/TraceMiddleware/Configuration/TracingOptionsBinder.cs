using System.Globalization;
using Microsoft.Extensions.Configuration;
using TraceMiddleware.Propagation;

namespace TraceMiddleware.Configuration;

/// <summary>
/// Binds <see cref="TracingOptions"/> from configuration by hand: reflection binding is not trim-safe,
/// and reading each key ourselves lets a bad value be reported with its full key and the reason.
/// </summary>
internal static class TracingOptionsBinder
{
    public static void Bind(IConfiguration section, TracingOptions options)
    {
        var prefix = section is IConfigurationSection s ? s.Path + ":" : string.Empty;
        var errors = options.ConfigurationErrors;

        BindString(section, nameof(TracingOptions.Dsn), v => options.Dsn = v);
        BindString(section, nameof(TracingOptions.Release), v => options.Release = v);
        BindString(section, nameof(TracingOptions.Environment), v => options.Environment = v);
        BindString(section, nameof(TracingOptions.OrgId), v => options.OrgId = v);
        BindString(section, nameof(TracingOptions.ServiceName), v => options.ServiceName = v);
        BindString(section, nameof(TracingOptions.Spotlight), v => options.Spotlight = v);

        if (section[nameof(TracingOptions.TracesSampleRate)] is { } rate)
        {
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
                errors.Add($"{prefix}{nameof(TracingOptions.TracesSampleRate)}: '{rate}' is not a number; use a rate from 0 to 1 such as 0.2.");
            }
        }

        BindBool(section, prefix, nameof(TracingOptions.PropagateTraceparent), errors, v => options.PropagateTraceparent = v);
        BindBool(section, prefix, nameof(TracingOptions.ContinueFromTraceparent), errors, v => options.ContinueFromTraceparent = v);
        BindBool(section, prefix, nameof(TracingOptions.StrictTraceContinuation), errors, v => options.StrictTraceContinuation = v);
        BindBool(section, prefix, nameof(TracingOptions.PropagateThirdPartyBaggage), errors, v => options.PropagateThirdPartyBaggage = v);
        BindBool(section, prefix, nameof(TracingOptions.InstrumentAllHttpClients), errors, v => options.InstrumentAllHttpClients = v);
        BindBool(section, prefix, nameof(TracingOptions.AddMiddlewareAutomatically), errors, v => options.AddMiddlewareAutomatically = v);
        BindBool(section, prefix, nameof(TracingOptions.ServerTimingHeader), errors, v => options.ServerTimingHeader = v);

        if (section[nameof(TracingOptions.ConsoleExporter)] is { } console)
        {
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
                errors.Add($"{prefix}{nameof(TracingOptions.ConsoleExporter)}: '{console}' is not true or false; leave it empty for the default (Development without a DSN only).");
            }
        }

        BindInt(section, prefix, nameof(TracingOptions.ExportQueueCapacity), errors, v => options.ExportQueueCapacity = v);
        BindInt(section, prefix, nameof(TracingOptions.ExportBatchSize), errors, v => options.ExportBatchSize = v);

        if (section[nameof(TracingOptions.ShutdownTimeout)] is { Length: > 0 } timeout)
        {
            if (IsWholeNumber(timeout))
            {
                // TimeSpan.Parse reads "3" as three days: a bare number is almost certainly meant as seconds.
                var example = int.TryParse(timeout, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) && seconds <= TracingOptions.MaxShutdownTimeoutSeconds
                    ? $"{TimeSpan.FromSeconds(seconds):c} for {seconds} seconds"
                    : "00:00:03 for three seconds";
                errors.Add($"{prefix}{nameof(TracingOptions.ShutdownTimeout)}: '{timeout}' has no unit; write a time span such as {example}.");
            }
            else if (TimeSpan.TryParse(timeout, CultureInfo.InvariantCulture, out var value))
            {
                options.ShutdownTimeout = value;
            }
            else
            {
                errors.Add($"{prefix}{nameof(TracingOptions.ShutdownTimeout)}: '{timeout}' is not a time span; write hh:mm:ss such as 00:00:03.");
            }
        }

        var targets = section.GetSection(nameof(TracingOptions.TracePropagationTargets));
        if (targets.Exists())
        {
            var list = new List<TracePropagationTarget>();
            foreach (var child in targets.GetChildren())
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

            options.TracePropagationTargets = list;
        }

        var methods = section.GetSection(nameof(TracingOptions.UnsampledHttpMethods));
        if (methods.Exists())
        {
            var list = new List<string>();
            foreach (var child in methods.GetChildren())
            {
                if (!string.IsNullOrWhiteSpace(child.Value))
                {
                    list.Add(child.Value.Trim());
                }
            }

            options.UnsampledHttpMethods = list;
        }
    }

    private static void BindString(IConfiguration section, string key, Action<string?> set)
    {
        if (section[key] is { } value)
        {
            set(value.Length == 0 ? null : value);
        }
    }

    private static void BindInt(IConfiguration section, string prefix, string key, List<string> errors, Action<int> set)
    {
        if (section[key] is not { Length: > 0 } value)
        {
            return;
        }

        if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed))
        {
            set(parsed);
        }
        else
        {
            errors.Add($"{prefix}{key}: '{value}' is not a whole number.");
        }
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

    private static void BindBool(IConfiguration section, string prefix, string key, List<string> errors, Action<bool> set)
    {
        if (section[key] is not { Length: > 0 } value)
        {
            return;
        }

        if (bool.TryParse(value, out var parsed))
        {
            set(parsed);
        }
        else
        {
            errors.Add($"{prefix}{key}: '{value}' is not true or false.");
        }
    }
}
