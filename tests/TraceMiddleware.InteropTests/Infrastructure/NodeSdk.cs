namespace TraceMiddleware.InteropTests.Infrastructure;

/// <summary>The settings tests/js/instrument.mjs gives <c>Sentry.init</c> of @sentry/node.</summary>
public sealed record NodeSdk(string Dsn, string Release, string Environment = "interop", double TracesSampleRate = 1)
{
    public IReadOnlyDictionary<string, string> ToEnvironment() => new Dictionary<string, string>
    {
        ["SENTRY_DSN"] = Dsn,
        ["SENTRY_RELEASE"] = Release,
        ["SENTRY_ENVIRONMENT"] = Environment,
        ["SENTRY_TRACES_SAMPLE_RATE"] = TracesSampleRate.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
