using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace TraceMiddleware.AspNetCore.Tunnel;

/// <summary>
/// The paths of one host's Sentry tunnels, so that the tracing middleware, which normally runs before
/// routing has chosen an endpoint, can leave tunnel requests untraced by their path.
/// </summary>
/// <remarks>
/// A tunnel mapped on the application has its full path at once. A tunnel mapped in a route group learns
/// its full path (group prefix included) only when the endpoints are built, which routing does on the first
/// request, after the tracing middleware ran: the first check then builds them through the application's
/// <see cref="EndpointDataSource"/>. When the middleware runs after routing, the endpoint's
/// <see cref="SentryTunnelMetadata"/> decides instead.
/// </remarks>
internal sealed class SentryTunnelRoutes
{
    private readonly object _gate = new();
    private string[] _paths = [];
    private volatile bool _mapped;
    private int _unresolved;

    /// <summary>Whether <paramref name="pattern"/> is a fixed path, and that path without a trailing slash.</summary>
    public static bool TryGetPath(RoutePattern pattern, out string path)
    {
        path = string.Empty;
        if (pattern.Parameters.Count > 0)
        {
            return false;
        }

        var text = new System.Text.StringBuilder();
        foreach (var segment in pattern.PathSegments)
        {
            text.Append('/');
            foreach (var part in segment.Parts)
            {
                if (part is not RoutePatternLiteralPart literal)
                {
                    return false;
                }

                text.Append(literal.Content);
            }
        }

        path = text.Length == 0 ? "/" : text.ToString();
        return true;
    }

    /// <summary>A tunnel whose full path is known.</summary>
    public void Add(string path)
    {
        lock (_gate)
        {
            if (Array.FindIndex(_paths, p => string.Equals(p, path, StringComparison.OrdinalIgnoreCase)) < 0)
            {
                _paths = [.. _paths, path];
            }
        }

        _mapped = true;
    }

    /// <summary>A tunnel in a route group: its path is added once its endpoint is built.</summary>
    public void AddUnresolved()
    {
        Interlocked.Increment(ref _unresolved);
        _mapped = true;
    }

    /// <summary>Whether <paramref name="context"/> is a request to one of the tunnels.</summary>
    public bool IsTunnelRequest(HttpContext context)
    {
        if (!_mapped)
        {
            return false;
        }

        if (context.GetEndpoint()?.Metadata.GetMetadata<SentryTunnelMetadata>() is not null)
        {
            return true;
        }

        if (Volatile.Read(ref _unresolved) > 0)
        {
            Resolve(context.RequestServices);
        }

        var path = context.Request.Path.Value;
        if (string.IsNullOrEmpty(path))
        {
            return false;
        }

        // Routing matches "/monitoring/" to "/monitoring" too.
        var span = path.Length > 1 && path[^1] == '/' ? path.AsSpan(0, path.Length - 1) : path.AsSpan();
        var paths = Volatile.Read(ref _paths);
        for (var i = 0; i < paths.Length; i++)
        {
            if (span.Equals(paths[i], StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private void Resolve(IServiceProvider? services)
    {
        // Under the lock so that no concurrent first request checks before the paths are in; the
        // convention's Add takes the same (reentrant) lock on this thread.
        lock (_gate)
        {
            if (_unresolved == 0)
            {
                return;
            }

            try
            {
                // Building the endpoints runs the tunnel's convention, which adds the full path.
                _ = services?.GetService<EndpointDataSource>()?.Endpoints;
            }
            finally
            {
                _unresolved = 0;
            }
        }
    }
}
