using System.Net;

namespace TraceMiddleware.Http;

/// <summary>
/// When and where a response redirects, and how the request changes for the next hop, as .NET's own
/// <c>SocketsHttpHandler</c> decides when it follows redirects: for clients whose redirects the library follows
/// itself, because .NET would follow them where no one can take the trace headers back.
/// </summary>
internal static class RedirectRules
{
    /// <summary>The URL the response sends the request on to; <see langword="null"/> when it is not a redirect to follow.</summary>
    public static Uri? NextUri(HttpRequestMessage request, HttpResponseMessage response)
    {
        if (response.StatusCode is not (HttpStatusCode.MultipleChoices or HttpStatusCode.Moved or HttpStatusCode.Found
                or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect)
            || response.Headers.Location is not { } location
            || request.RequestUri is not { IsAbsoluteUri: true } current)
        {
            return null;
        }

        if (!location.IsAbsoluteUri)
        {
            location = new Uri(current, location);
        }

        // A fragment the new location lacks is kept (RFC 9110 §10.2.2).
        if (string.IsNullOrEmpty(location.Fragment) && !string.IsNullOrEmpty(current.Fragment))
        {
            location = new UriBuilder(location) { Fragment = current.Fragment[1..] }.Uri;
        }

        var scheme = location.Scheme;
        if ((scheme != Uri.UriSchemeHttp && scheme != Uri.UriSchemeHttps)
            || (current.Scheme == Uri.UriSchemeHttps && scheme == Uri.UriSchemeHttp))
        {
            // Only HTTP, and never from HTTPS down to HTTP: the redirect response is the answer.
            return null;
        }

        return location;
    }

    /// <summary>Points <paramref name="request"/> at <paramref name="next"/> for the redirect <paramref name="status"/>.</summary>
    public static void Prepare(HttpRequestMessage request, HttpStatusCode status, Uri next)
    {
        request.RequestUri = next;
        var method = request.Method;
        var forceGet = status is HttpStatusCode.SeeOther
            ? method != HttpMethod.Head
            : status is HttpStatusCode.MultipleChoices or HttpStatusCode.Moved or HttpStatusCode.Found && method == HttpMethod.Post;
        if (forceGet)
        {
            request.Method = HttpMethod.Get;
            request.Content = null;
            if (request.Headers.TransferEncodingChunked == true)
            {
                request.Headers.TransferEncodingChunked = false;
            }
        }

        // Credentials are for the host that asked for them.
        request.Headers.Authorization = null;
    }
}
