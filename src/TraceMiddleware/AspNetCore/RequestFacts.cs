using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Net.Http.Headers;
using TraceMiddleware.Tracing;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.AspNetCore;

/// <summary>
/// What a recorded transaction says about its request, taken as the request ends: the method and the URL without
/// its query always; the headers, the cookies and the client's address only with <c>SendDefaultPii</c>.
/// </summary>
internal static class RequestFacts
{
    public static void Take(HttpContext context, TraceRoot root, bool sendDefaultPii)
    {
        var request = context.Request;
        var facts = new SentryRequest
        {
            Method = request.Method,
            Url = UriHelper.BuildAbsolute(request.Scheme, request.Host, request.PathBase, request.Path),
        };

        if (sendDefaultPii)
        {
            foreach (var (name, values) in request.Headers)
            {
                // Credentials are never sent; the cookies go in their own field.
                if (!string.Equals(name, HeaderNames.Authorization, StringComparison.OrdinalIgnoreCase)
                    && !string.Equals(name, HeaderNames.ProxyAuthorization, StringComparison.OrdinalIgnoreCase)
                    && !string.Equals(name, HeaderNames.Cookie, StringComparison.OrdinalIgnoreCase))
                {
                    facts.Headers[name] = values.ToString();
                }
            }

            facts.Cookies = request.Headers.Cookie is { Count: > 0 } cookies ? cookies.ToString() : null;
            if (context.Connection.RemoteIpAddress is { } address)
            {
                var user = root.User ??= new SentryUser();
                user.IpAddress ??= address.ToString();
            }
        }

        root.Request = facts;
    }
}
