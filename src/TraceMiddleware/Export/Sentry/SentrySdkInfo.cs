namespace TraceMiddleware.Export.Sentry;

/// <summary>How this package names itself to Sentry: in the envelope's <c>sdk</c>, <c>X-Sentry-Auth</c> and <c>User-Agent</c>.</summary>
internal static class SentrySdkInfo
{
    /// <summary>The SDK name; Sentry groups SDKs by the <c>sentry.{platform}.</c> prefix.</summary>
    public const string Name = "sentry.dotnet.tracemiddleware";

    /// <summary>The package version, <c>major.minor.patch</c>.</summary>
    public static string Version { get; } = typeof(SentrySdkInfo).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}
