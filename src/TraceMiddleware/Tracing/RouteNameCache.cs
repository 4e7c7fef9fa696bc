using System.Collections.Concurrent;

namespace TraceMiddleware.Tracing;

/// <summary>
/// The span names <c>"{method} {route template}"</c>, built once per pair: an app has a handful of routes, and
/// a request should not build the same string again. Bounded, so that odd methods cannot grow it without end;
/// past the bound a name is simply built per request.
/// </summary>
internal static class RouteNameCache
{
    /// <summary>The most names and templates kept, together.</summary>
    public const int MaxEntries = 1024;

    private static readonly ConcurrentDictionary<(string Method, string Template), string> s_names = new();
    private static readonly ConcurrentDictionary<string, string> s_rooted = new(StringComparer.Ordinal);

    // ConcurrentDictionary.Count takes every lock; a plain counter is enough for a bound.
    private static int s_count;

    public static string Get(string method, string template)
    {
        if (s_names.TryGetValue((method, template), out var name))
        {
            return name;
        }

        name = method + " " + template;
        if (Volatile.Read(ref s_count) < MaxEntries && s_names.TryAdd((method, template), name))
        {
            Interlocked.Increment(ref s_count);
        }

        return name;
    }

    /// <summary><paramref name="template"/> with a leading <c>/</c> (MVC's attribute routes are written without one).</summary>
    public static string Rooted(string template)
    {
        if (template.Length > 0 && template[0] == '/')
        {
            return template;
        }

        if (s_rooted.TryGetValue(template, out var rooted))
        {
            return rooted;
        }

        rooted = "/" + template;
        if (Volatile.Read(ref s_count) < MaxEntries && s_rooted.TryAdd(template, rooted))
        {
            Interlocked.Increment(ref s_count);
        }

        return rooted;
    }
}
