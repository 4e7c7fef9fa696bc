namespace TraceMiddleware.InteropTests.Infrastructure;

/// <summary>
/// Sentry's .NET SDK keeps one hub per process (<c>SentrySdk</c>), which each app that calls <c>UseSentry</c> replaces:
/// tests that start such an app run one at a time, and apart from the others.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SentrySdkCollection
{
    public const string Name = "Sentry's .NET SDK";
}
