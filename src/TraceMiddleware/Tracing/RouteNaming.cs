using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Routing;

namespace TraceMiddleware.Tracing;

/// <summary>Finds the route template of the endpoint routing chose: the low-cardinality name of a server span.</summary>
internal static class RouteNaming
{
    public static bool TryGetRouteTemplate(HttpContext context, out string template)
    {
        template = string.Empty;
        var endpoint = context.GetEndpoint();
        if (endpoint is null)
        {
            return false;
        }

        // Razor Pages are named by page path (/Index): their route templates are often empty.
        if (endpoint.Metadata.GetMetadata<PageActionDescriptor>() is { ViewEnginePath.Length: > 0 } page)
        {
            template = page.ViewEnginePath;
            return true;
        }

        if (endpoint is RouteEndpoint { RoutePattern.RawText: { } raw })
        {
            template = RouteNameCache.Rooted(raw);
            return true;
        }

        return false;
    }
}
