using Microsoft.AspNetCore.Http;

namespace TraceMiddleware.Tracing;

/// <summary>The path a request span reports and is named after before routing: <c>PathBase</c> + <c>Path</c>, or <c>/</c>.</summary>
internal static class RequestPath
{
    public static string Of(HttpRequest request)
    {
        var path = request.PathBase.HasValue ? request.PathBase.Add(request.Path).Value : request.Path.Value;
        return string.IsNullOrEmpty(path) ? "/" : path;
    }
}
