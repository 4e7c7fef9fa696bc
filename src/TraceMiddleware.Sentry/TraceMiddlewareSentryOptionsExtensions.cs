using Sentry.AspNetCore;
using TraceMiddleware.Sentry;

namespace Sentry;

/// <summary>Lets Sentry's .NET SDK report errors while TraceMiddleware does the tracing.</summary>
public static class TraceMiddlewareSentryOptionsExtensions
{
    /// <summary>
    /// Makes Sentry's SDK report errors in TraceMiddleware's traces and leave tracing to it: every event Sentry
    /// captures (an unhandled request exception, <c>SentrySdk.CaptureException</c>, an <c>ILogger</c> error) gets the
    /// trace id of the current trace, the id of the span the exception was thrown in, and the transaction's name.
    /// Sentry's tracing middleware is not registered (no second transaction per request), and Sentry's HttpClient
    /// handler adds no trace headers (TraceMiddleware decides which hosts get them).
    /// </summary>
    /// <param name="options">Sentry's options, for example in <c>builder.WebHost.UseSentry(o => …)</c>.</param>
    /// <returns>The same options.</returns>
    /// <remarks>Leave Sentry's <c>TracesSampleRate</c> unset: TraceMiddleware's decides what is traced.</remarks>
    public static SentryOptions UseTraceMiddleware(this SentryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options is SentryAspNetCoreOptions aspNetCore)
        {
            aspNetCore.AutoRegisterTracing = false;
        }

        options.DisableSentryHttpMessageHandler = true;
        options.TracePropagationTargets = [];
        ThrowSites.Install();
        options.AddEventProcessor(new TraceContextEventProcessor());
        return options;
    }
}
