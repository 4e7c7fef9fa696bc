using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using TraceMiddleware.Tracing;

namespace TraceMiddleware.Sentry;

/// <summary>
/// Remembers, for each exception thrown inside one of our traces, the span that was current where it was first thrown.
/// By the time Sentry's middleware captures an exception the <c>using</c> blocks of the spans it passed through have
/// ended, so <see cref="Activity.Current"/> is the request's span again; only the throw itself sees the span that failed.
/// </summary>
/// <remarks>
/// Process-wide (an exception is not tied to a host) and installed only once something asks for it. The table holds
/// the exception weakly, so it keeps nothing alive that the exception would not. An exception rethrown further out in
/// the same trace (every <c>await</c> and <c>throw;</c> on the way up raises the event again) keeps its first site; one
/// thrown again in another trace (a cached instance) takes the new site.
/// </remarks>
internal static class ThrowSites
{
    private static readonly ConditionalWeakTable<Exception, Activity> Sites = new();
    private static int _installed;

    /// <summary>Starts watching thrown exceptions; idempotent.</summary>
    public static void Install()
    {
        if (Interlocked.Exchange(ref _installed, 1) == 0)
        {
            AppDomain.CurrentDomain.FirstChanceException += OnFirstChance;
        }
    }

    /// <summary>The span that was current where <paramref name="exception"/> was thrown, when that was inside one of our traces.</summary>
    public static Activity? Find(Exception exception) => Sites.TryGetValue(exception, out var span) ? span : null;

    // Runs for every exception thrown in the process, before any catch block: no allocation outside our traces, and
    // nothing in it may throw (that would raise this event again).
    private static void OnFirstChance(object? sender, FirstChanceExceptionEventArgs e)
    {
        if (Activity.Current is not { } current || TraceRoot.Find(current) is not { } root)
        {
            return;
        }

        var exception = e.Exception;
        if (Sites.TryGetValue(exception, out var known) && ReferenceEquals(TraceRoot.Find(known), root))
        {
            return;
        }

        Sites.AddOrUpdate(exception, current);
    }
}
