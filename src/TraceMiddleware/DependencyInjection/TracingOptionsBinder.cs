using System.Globalization;
using Microsoft.Extensions.Configuration;
using TraceMiddleware.Propagation;

namespace TraceMiddleware.DependencyInjection;

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
