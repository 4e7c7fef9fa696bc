using Microsoft.Extensions.Options;
using TraceMiddleware.Export.Sentry;

namespace TraceMiddleware.Configuration;

/// <summary>
/// Stops start-up on a bad setting, naming the key and the reason (runs through <c>ValidateOnStart</c>).
/// </summary>
internal sealed class TracingOptionsValidator : IValidateOptions<TracingOptions>
{
    private readonly TracingRegistration _registration;
    private readonly ConfiguredSentryDsn _dsn;

    /// <param name="registration">The section the options come from, for the keys in messages.</param>
    /// <param name="dsn">The host's DSN, whose one parse this validation makes; a private one when null.</param>
    public TracingOptionsValidator(TracingRegistration registration, ConfiguredSentryDsn? dsn = null)
    {
        _registration = registration;
        _dsn = dsn ?? new ConfiguredSentryDsn(static () => null);
    }

    public ValidateOptionsResult Validate(string? name, TracingOptions options)
    {
        var errors = new List<string>(options.ConfigurationErrors);
        var p = _registration.SectionPath + ":";

        if (options.TracesSampleRate is { } rate && !(rate >= 0 && rate <= 1))
        {
            errors.Add($"{p}{nameof(TracingOptions.TracesSampleRate)}: {rate} is outside [0, 1]; use 0 for none, 1 for all, 0.2 for a fifth.");
        }

        if (_dsn.Resolve(options.Dsn, out var dsnError) is null && dsnError is not null)
        {
            errors.Add($"{p}{nameof(TracingOptions.Dsn)}: {dsnError}");
        }

        if (!SpotlightSetting.TryResolve(options.Spotlight, Environment.GetEnvironmentVariable(SpotlightSetting.EnvironmentVariable), out _, out var spotlightError, out var fromEnvironment))
        {
            errors.Add(fromEnvironment
                ? $"{SpotlightSetting.EnvironmentVariable} (environment variable): {spotlightError}"
                : $"{p}{nameof(TracingOptions.Spotlight)}: {spotlightError}");
        }

        if (options.ServiceName is { } service && (string.IsNullOrWhiteSpace(service) || service.Length > TracingOptions.MaxServiceNameLength))
        {
            errors.Add($"{p}{nameof(TracingOptions.ServiceName)}: '{service}' is {(service.Length > TracingOptions.MaxServiceNameLength ? $"longer than {TracingOptions.MaxServiceNameLength} characters" : "blank")}; use a short name such as orders, or leave it unset for the application name.");
        }

        if (options.TracePropagationTargets is { } targets)
        {
            for (var i = 0; i < targets.Count; i++)
            {
                if (targets[i] is null)
                {
                    errors.Add($"{p}{nameof(TracingOptions.TracePropagationTargets)}:{i}: the target is null.");
                }
            }
        }

        if (options.UnsampledHttpMethods is null)
        {
            errors.Add($"{p}{nameof(TracingOptions.UnsampledHttpMethods)}: the list is null; use an empty list to sample every method.");
        }

        if (options.ExportQueueCapacity < 1)
        {
            errors.Add($"{p}{nameof(TracingOptions.ExportQueueCapacity)}: {options.ExportQueueCapacity} is less than 1; it is how many finished transactions may wait for the exporters (default {TracingOptions.DefaultExportQueueCapacity}).");
        }

        if (options.ExportBatchSize < 1)
        {
            errors.Add($"{p}{nameof(TracingOptions.ExportBatchSize)}: {options.ExportBatchSize} is less than 1; it is the most transactions sent in one batch (default {TracingOptions.DefaultExportBatchSize}).");
        }

        if (options.ShutdownTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{p}{nameof(TracingOptions.ShutdownTimeout)}: {options.ShutdownTimeout:c} is not longer than zero; use a time span such as 00:00:0{TracingOptions.DefaultShutdownTimeoutSeconds}.");
        }
        else if (options.ShutdownTimeout > TimeSpan.FromSeconds(TracingOptions.MaxShutdownTimeoutSeconds))
        {
            errors.Add($"{p}{nameof(TracingOptions.ShutdownTimeout)}: {options.ShutdownTimeout:c} is longer than the limit of {TimeSpan.FromSeconds(TracingOptions.MaxShutdownTimeoutSeconds):c}.");
        }

        ValidateLists(options, p, errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateLists(TracingOptions options, string p, List<string> errors)
    {
        if (options.IgnoreStatusCodes is null)
        {
            errors.Add($"{p}{nameof(TracingOptions.IgnoreStatusCodes)}: the list is null; use an empty list to keep every status code.");
        }
        else
        {
            for (var i = 0; i < options.IgnoreStatusCodes.Count; i++)
            {
                if (!StatusCodeRanges.TryParse(options.IgnoreStatusCodes[i], out _, out var error))
                {
                    errors.Add($"{p}{nameof(TracingOptions.IgnoreStatusCodes)}:{i}: {error}");
                }
            }
        }

        if (options.IgnoreTransactions is null)
        {
            errors.Add($"{p}{nameof(TracingOptions.IgnoreTransactions)}: the list is null; use an empty list to keep every transaction.");
        }
        else
        {
            for (var i = 0; i < options.IgnoreTransactions.Count; i++)
            {
                if (options.IgnoreTransactions[i] is null)
                {
                    errors.Add($"{p}{nameof(TracingOptions.IgnoreTransactions)}:{i}: the entry is null.");
                }
            }
        }

        if (options.DefaultTags is null)
        {
            errors.Add($"{p}{nameof(TracingOptions.DefaultTags)}: the dictionary is null; use an empty one for no tags.");
        }
    }
}
