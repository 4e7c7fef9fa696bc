using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticAssets;
using TraceMiddleware.Configuration;
using TraceMiddleware.Propagation;

namespace TraceMiddleware.Tracing;

/// <summary>
/// Which transactions are left out of Sentry and every exporter (<c>IgnoreTransactions</c>, <c>IgnoreStatusCodes</c>,
/// <c>IgnoreStaticFiles</c>). Leaving one out costs it its recording only: its trace is still continued and passed on.
/// </summary>
internal sealed class IgnoreRules
{
    // What UseStaticFiles serves and pages load: stylesheets, scripts, images, fonts, source maps, manifests.
    private static readonly SearchValues<string> s_staticExtensions = SearchValues.Create(
        [".css", ".js", ".mjs", ".map", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".ico", ".webp", ".avif", ".woff", ".woff2", ".ttf", ".eot", ".webmanifest"],
        StringComparison.OrdinalIgnoreCase);

    private readonly TracePropagationTarget[] _transactions;
    private readonly StatusCodeRanges _statusCodes;
    private readonly bool _staticFiles;

    public IgnoreRules(TracingOptions options)
    {
        _transactions = [.. options.IgnoreTransactions];
        _statusCodes = StatusCodeRanges.From(options.IgnoreStatusCodes);
        _staticFiles = options.IgnoreStaticFiles;
    }

    /// <summary>Whether any rule needs the route to decide (it waits for routing then).</summary>
    public bool NeedRoute => _transactions.Length > 0 || _staticFiles;

    /// <summary>Whether a transaction named <paramref name="name"/> is left out.</summary>
    public bool IgnoresName(string name)
    {
        foreach (var pattern in _transactions)
        {
            if (pattern.IsMatch(name.AsSpan()))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the request's transaction is left out, before its status is known.</summary>
    public bool IgnoresRequest(HttpContext context, string name)
    {
        if (IgnoresName(name))
        {
            return true;
        }

        var path = context.Request.Path.Value;
        if (path is { Length: > 0 })
        {
            foreach (var pattern in _transactions)
            {
                if (pattern.IsMatch(path.AsSpan()))
                {
                    return true;
                }
            }
        }

        return _staticFiles && IsStaticFile(context, path);
    }

    /// <summary>Whether a response with <paramref name="statusCode"/> leaves the request's transaction out.</summary>
    public bool IgnoresStatusCode(int statusCode) => !_statusCodes.IsEmpty && _statusCodes.Contains(statusCode);

    private static bool IsStaticFile(HttpContext context, string? path)
    {
        if (context.GetEndpoint() is { } endpoint)
        {
            return endpoint.Metadata.GetMetadata<StaticAssetDescriptor>() is not null;
        }

        // No endpoint: UseStaticFiles answered (or nothing did), before routing.
        if (path is null)
        {
            return false;
        }

        var dot = path.LastIndexOf('.');
        return dot > path.LastIndexOf('/') && s_staticExtensions.Contains(path[dot..]);
    }
}
